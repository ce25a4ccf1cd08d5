/**
 * Sundial demo — the README's main job (`npm run demo`).
 *
 * On Hardhat's in-process chain: deploys the whole system with the Ignition modules (local
 * parameters: AAPL, TSLA, NVDA, SPY, QQQ over mock Pyth, Chainlink and Data Streams sources), funds
 * seeded traders, and runs a week of December 2026 with the real matcher engine and batch settler,
 * the real oracle, funding and liquidation keepers, all in-process: the trading
 * week, a weekend with news traded on the venue, a Monday gap, an NVDA split and a SPY dividend
 * scheduled through the governance timelock. Prints progress, a report with invariant checks
 * computed from chain state, and writes a chart of index, mark and band to `out/demo-week.svg`.
 * Exits non-zero if any check fails.
 *
 * `--quick` (or `SUNDIAL_DEMO_QUICK=1`) runs from Wednesday with fewer traders and longer steps
 * (`hardhat run` passes no script arguments, so the environment variable is the way to ask for it there).
 * `SUNDIAL_DEMO_SEED` changes the seed (default 20261207).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import { formatReport, renderDemoChart } from "./demo/report.js";
import { runDemo } from "./demo/simulation.js";
import { CHAIN_START_DATE } from "./demo/timeline.js";

const quick = process.argv.includes("--quick") || process.env["SUNDIAL_DEMO_QUICK"] === "1";
const seed = Number(process.env["SUNDIAL_DEMO_SEED"] ?? 20261207);
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;

console.log(`Sundial demo: a trading week on an in-process chain${quick ? " (quick)" : ""}, seed ${seed}\n`);
// The week is December 2026 on the shipped NYSE calendar: the chain starts just before it.
const connection = await network.create({ override: { initialDate: CHAIN_START_DATE } });
const result = await runDemo(connection, {
  quick,
  seed,
  progress: (line) => console.log(`[${elapsed()}] ${line}`),
});
for (const line of formatReport(result, (Date.now() - started) / 1000)) console.log(line);

mkdirSync("out", { recursive: true });
const chart = "out/demo-week.svg";
writeFileSync(chart, renderDemoChart(result));
console.log(`\n  chart: ${chart}`);
const failed = result.checks.filter((c) => !c.pass);
console.log(
  failed.length === 0 ? "\nAll invariant checks passed." : `\n${failed.length} invariant check(s) FAILED.`,
);
if (failed.length > 0) process.exitCode = 1;
