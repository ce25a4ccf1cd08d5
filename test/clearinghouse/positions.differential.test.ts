import { expect } from "chai";
import { network } from "hardhat";
import { INT128_MAX, SundialMathError } from "../../sdk/fixed-point.js";
import {
  MAX_ABS_SIZE_X18,
  MAX_PRICE_X18,
  applyFill,
  closeAt,
  marginRequirementX18,
  notionalX18,
  reducesRisk,
  rescaleSize,
  tradingFeeX18,
  unrealizedPnlX18,
} from "../../sdk/positions.js";
import { PositionMathHarness__factory, type PositionMathHarness } from "../../typechain-types/index.js";
import { SeededRandom, chunks } from "./random.js";

/**
 * Differential test: `sdk/positions.ts` against `PositionMath` (through its harness) on seeded
 * random inputs that cover every branch (open, increase, reduce, close, flip, the tiny opposite
 * position), every scale (wei dust to the int128 bounds) and every failure (each custom error,
 * with its arguments).
 */
const { ethers, networkHelpers } = await network.create();

const SEED = 0x5d1a1;
const FILL_CASES = 6_000;
const RESCALE_CASES = 3_000;
const VIEW_CASES = 4_000;
const BATCH = 400;

async function deployHarnessFixture(): Promise<PositionMathHarness> {
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("no signer");
  return new PositionMathHarness__factory(deployer).deploy();
}

function randomPrice(r: SeededRandom): bigint {
  const roll = r.float();
  if (roll < 0.02) return 0n;
  if (roll < 0.05) return MAX_PRICE_X18 + r.magnitude(30);
  if (roll < 0.15) return r.magnitude(6);
  if (roll < 0.25) return r.between(1n, MAX_PRICE_X18);
  return r.between(10n ** 15n, 10n ** 24n);
}

function randomSize(r: SeededRandom): bigint {
  const roll = r.float();
  const sign = r.chance(0.5) ? 1n : -1n;
  if (roll < 0.08) return 0n;
  if (roll < 0.25) return r.signed(3);
  if (roll < 0.7) return r.signed(24);
  if (roll < 0.85) return sign * r.between(10n ** 28n, MAX_ABS_SIZE_X18);
  if (roll < 0.92) return sign * r.between(MAX_ABS_SIZE_X18 - 1_000n, MAX_ABS_SIZE_X18 + 1_000n);
  if (roll < 0.97) return sign * (INT128_MAX - r.between(0n, 1_000n));
  return sign * (INT128_MAX + r.between(1n, 1_000n));
}

function randomBasis(r: SeededRandom, size: bigint): bigint {
  const roll = r.float();
  if (roll < 0.7 && size !== 0n) {
    try {
      return (
        applyFill(0n, 0n, size, r.between(10n ** 15n, 10n ** 24n)).newOpenNotionalX18 + r.between(-3n, 3n)
      );
    } catch {
      return r.signed(30);
    }
  }
  if (roll < 0.95) return r.signed(33);
  return (r.chance(0.5) ? 1n : -1n) * (INT128_MAX + r.between(-2n, 2n));
}

function randomFill(r: SeededRandom, size: bigint): bigint {
  const roll = r.float();
  if (roll < 0.02) return 0n;
  if (roll < 0.04) return (r.chance(0.5) ? 1n : -1n) * (INT128_MAX + r.between(0n, 5n));
  if (size !== 0n) {
    if (roll < 0.14) return -size; // full close
    if (roll < 0.3) return -(size * BigInt(r.int(10) + 1)) / 11n || -size; // partial reduce
    if (roll < 0.4) return -size - (size > 0n ? r.magnitude(3) : -r.magnitude(3)); // tiny flip
    if (roll < 0.5) return -size * 2n - r.signed(20); // large flip
    if (roll < 0.6) return size > 0n ? r.magnitude(24) : -r.magnitude(24); // increase
  }
  return randomSize(r) || 1n;
}

type Outcome = { ok: true; values: bigint[] } | { ok: false; error: string; args: bigint[] };

function sdkOutcome(run: () => bigint[]): Outcome {
  try {
    return { ok: true, values: run() };
  } catch (error) {
    if (!(error instanceof SundialMathError)) throw error;
    return { ok: false, error: error.code, args: [...error.args] };
  }
}

function solidityError(harness: PositionMathHarness, revertData: string): { error: string; args: bigint[] } {
  const parsed = harness.interface.parseError(revertData);
  if (parsed === null) throw new Error(`unknown revert data ${revertData}`);
  return { error: parsed.name, args: parsed.args.map((arg) => BigInt(arg as bigint)) };
}

describe("PositionMath vs sdk/positions.ts (differential)", function () {
  it("applies random fills identically, errors included", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED);
    const cases = Array.from({ length: FILL_CASES }, () => {
      const sizeX18 = randomSize(r);
      return {
        sizeX18,
        openNotionalX18: randomBasis(r, sizeX18),
        fillSizeX18: randomFill(r, sizeX18),
        priceX18: randomPrice(r),
      };
    });
    let compared = 0;
    let reverted = 0;
    const errorsSeen = new Set<string>();
    for (const batch of chunks(cases, BATCH)) {
      const results = await harness.applyFillBatch(batch);
      batch.forEach((c, i) => {
        const onChain = results[i];
        if (onChain === undefined) throw new Error("missing result");
        const expected = sdkOutcome(() => {
          const fill = applyFill(c.sizeX18, c.openNotionalX18, c.fillSizeX18, c.priceX18);
          return [fill.newSizeX18, fill.newOpenNotionalX18, fill.realizedPnlX18];
        });
        const label = `applyFill(${c.sizeX18}, ${c.openNotionalX18}, ${c.fillSizeX18}, ${c.priceX18})`;
        if (expected.ok) {
          expect(onChain.ok, `${label} reverted on-chain`).to.equal(true);
          expect(
            [onChain.newSizeX18, onChain.newOpenNotionalX18, onChain.realizedPnlX18],
            label,
          ).to.deep.equal(expected.values);
        } else {
          expect(onChain.ok, `${label} succeeded on-chain`).to.equal(false);
          expect(solidityError(harness, onChain.revertData), label).to.deep.equal({
            error: expected.error,
            args: expected.args,
          });
          reverted++;
          errorsSeen.add(expected.error);
        }
        compared++;
      });
    }
    console.log(
      `      applyFill: ${compared} cases compared (${reverted} reverts: ${[...errorsSeen].join(", ")})`,
    );
    expect(compared).to.equal(FILL_CASES);
    expect([...errorsSeen].sort()).to.deep.equal(
      [
        "Position_InvalidFillSize",
        "Position_InvalidPrice",
        "Position_OpenNotionalAboveMax",
        "Position_OpenNotionalOutOfRange",
        "Position_SizeAboveMax",
        "Position_SizeOutOfRange",
      ].sort(),
    );
  });

  it("rescales sizes for splits identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 1);
    const factors = [0n, 10n ** 14n, 10n ** 17n, 10n ** 18n, 4n * 10n ** 18n, 10n ** 22n, 10n ** 18n / 3n];
    const randomFactor = (): bigint => (r.chance(0.7) ? r.pick(factors) : r.between(10n ** 14n, 10n ** 22n));
    const cases = Array.from({ length: RESCALE_CASES }, () => ({
      sizeX18: randomSize(r),
      fromSplitFactorX18: randomFactor(),
      toSplitFactorX18: randomFactor(),
    }));
    let compared = 0;
    for (const batch of chunks(cases, BATCH)) {
      const results = await harness.rescaleBatch(batch);
      batch.forEach((c, i) => {
        const onChain = results[i];
        if (onChain === undefined) throw new Error("missing result");
        const expected = sdkOutcome(() => [rescaleSize(c.sizeX18, c.fromSplitFactorX18, c.toSplitFactorX18)]);
        const label = `rescaleSize(${c.sizeX18}, ${c.fromSplitFactorX18}, ${c.toSplitFactorX18})`;
        if (expected.ok) {
          expect(onChain.ok, label).to.equal(true);
          expect(onChain.sizeX18, label).to.equal(expected.values[0]);
        } else {
          expect(onChain.ok, label).to.equal(false);
          expect(solidityError(harness, onChain.revertData), label).to.deep.equal({
            error: expected.error,
            args: expected.args,
          });
        }
        compared++;
      });
    }
    console.log(`      rescaleSize: ${compared} cases compared`);
    expect(compared).to.equal(RESCALE_CASES);
  });

  it("computes uPnL, notional, margin, fees, settlement and risk reduction identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 2);
    const inRange = (value: bigint): bigint =>
      value > INT128_MAX ? INT128_MAX : value < -INT128_MAX ? -INT128_MAX : value;
    const cases = Array.from({ length: VIEW_CASES }, () => {
      const sizeX18 = inRange(randomSize(r));
      return {
        sizeX18,
        openNotionalX18: inRange(randomBasis(r, sizeX18)),
        priceX18: r.chance(0.1) ? MAX_PRICE_X18 : randomPrice(r) % (MAX_PRICE_X18 + 1n),
        ratioBps: BigInt(r.int(10_001)),
        feeBps: BigInt(r.int(201) - 100),
        otherSizeX18: r.chance(0.5) ? sizeX18 + randomFill(r, sizeX18) : randomSize(r),
      };
    });
    let compared = 0;
    for (const batch of chunks(cases, BATCH)) {
      const results = await harness.viewsBatch(batch);
      batch.forEach((c, i) => {
        const onChain = results[i];
        if (onChain === undefined) throw new Error("missing result");
        const label = JSON.stringify(c, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
        expect(onChain.unrealizedPnlX18, `uPnL ${label}`).to.equal(
          unrealizedPnlX18(c.sizeX18, c.openNotionalX18, c.priceX18),
        );
        expect(onChain.notionalX18, `notional ${label}`).to.equal(notionalX18(c.sizeX18, c.priceX18));
        expect(onChain.marginRequirementX18, `margin ${label}`).to.equal(
          marginRequirementX18(c.sizeX18, c.priceX18, c.ratioBps),
        );
        expect(onChain.tradingFeeX18, `fee ${label}`).to.equal(
          tradingFeeX18(c.sizeX18, c.priceX18, c.feeBps),
        );
        expect(onChain.closeAtX18, `closeAt ${label}`).to.equal(
          closeAt(c.sizeX18, c.openNotionalX18, c.priceX18),
        );
        expect(onChain.reducesRisk, `reducesRisk ${label}`).to.equal(reducesRisk(c.sizeX18, c.otherSizeX18));
        compared++;
      });
    }
    console.log(`      uPnL / notional / margin / fee / closeAt / reducesRisk: ${compared} cases compared`);
    expect(compared).to.equal(VIEW_CASES);
  });
});
