/**
 * The benches' gas snapshot rule: print every figure (unless the bench prints its own table),
 * rewrite the committed JSON file with
 * `UPDATE_GAS_SNAPSHOT=1`, and fail when a label is missing or new, or when a figure is more than
 * `toleranceBps` above its committed value (a figure below it passes: an improvement).
 */
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";

export async function matchesGasSnapshot(
  file: URL,
  measured: Record<string, number>,
  toleranceBps: bigint,
  print = true,
): Promise<void> {
  if (print) for (const [label, gas] of Object.entries(measured)) console.log(`      ${label}: ${gas}`);
  if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
    await writeFile(file, JSON.stringify(measured, null, 2) + "\n");
  }
  const snapshot = JSON.parse(await readFile(file, "utf8")) as Record<string, number>;
  expect(Object.keys(measured).sort()).to.deep.equal(Object.keys(snapshot).sort());
  for (const [label, gas] of Object.entries(measured)) {
    const limit = (BigInt(snapshot[label]!) * (10_000n + toleranceBps)) / 10_000n;
    expect(BigInt(gas), `${label}: ${gas} vs snapshot ${snapshot[label]}`).to.be.at.most(limit);
  }
}
