/**
 * Sundial demo — the README's main job (`npm run demo`).
 *
 * On Hardhat's in-process chain: deploys the market calendar (NYSE 2026–2028 data), a Pyth price
 * source over Pyth's own `MockPyth`, a sequencer uptime guard over Chainlink's `MockV3Aggregator`,
 * and the weekend-aware oracle adapter; lists AAPL; then runs Thanksgiving week 2026 in 10-minute
 * steps — a full holiday, an early close, a weekend with news traded on the venue, and a Monday gap —
 * and prints every state change, a summary and an SVG chart of index, mark and band.
 *
 * The venue's weekend trades are reported to the oracle directly here (the deployer holds the
 * trade-reporter role); once the clearinghouse exists, its fills do this.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import { Session, loadCalendarFile } from "../sdk/calendar.js";
import {
  MarketCalendar__factory,
  MockPyth__factory,
  MockV3Aggregator__factory,
  OracleAdapter__factory,
  PythSource__factory,
  SequencerUptimeGuard__factory,
} from "../typechain-types/index.js";
import { renderChart, type ChartPoint } from "./demo/chart.js";

const STATES = ["OPEN", "CLOSED", "DEGRADED", "REOPENING", "HALTED", "SETTLED"] as const;
const ORIGINS = ["PRIMARY", "SECONDARY", "INTERNAL", "QUOTE_BLEND", "FROZEN", "SETTLEMENT"] as const;
const MARKET = "0x" + Buffer.from("AAPL-USD").toString("hex").padEnd(64, "0");
const PYTH_ID = "0x" + "aa".repeat(32);
const PYTH_EXPO = -5;
const STEP = 600; // seconds of simulated time per step
const START = Date.parse("2026-11-25T14:00:00Z") / 1000; // Wed Nov 25, 09:00 New York
const END = Date.parse("2026-11-30T17:00:00Z") / 1000; // Mon Nov 30, 12:00 New York
const NEWS = Date.parse("2026-11-28T15:00:00Z") / 1000; // Sat Nov 28, 10:00 New York: news breaks

const newYork = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const label = (ts: number): string => newYork.format(new Date(ts * 1000));
const dateLabel = (ts: number): string => label(ts).slice(0, 12);
const usd = (x18: bigint): number => Number(x18 / 10n ** 12n) / 1e6;
const toX18 = (price: number): bigint => BigInt(Math.round(price * 1e6)) * 10n ** 12n;

/** A seeded PRNG (mulberry32) so every run prints the same week. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const { ethers, networkHelpers } = await network.create();
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("the in-process chain has no accounts");
  await networkHelpers.time.setNextBlockTimestamp(START - 3 * 86_400);
  console.log("Sundial demo: the weekend-aware oracle over Thanksgiving week 2026\n");

  // ---------------------------------------------------------------- deployment
  const sdkCalendar = await loadCalendarFile();
  const { days, kinds } = sdkCalendar.constructorArgs();
  const calendar = await new MarketCalendar__factory(deployer).deploy(deployer.address, days, kinds);
  const pyth = await new MockPyth__factory(deployer).deploy(60n, 0n);
  const pythSource = await new PythSource__factory(deployer).deploy(
    await pyth.getAddress(),
    deployer.address,
  );
  await pythSource.setPriceFeed(MARKET, PYTH_ID, 50);
  const uptimeFeed = await new MockV3Aggregator__factory(deployer).deploy(0, 0n);
  // The sequencer has been up for a long time (status 0 since t = 1).
  await uptimeFeed.updateRoundData(1n, 0n, BigInt(START - 3 * 86_400), 1n);
  const guard = await new SequencerUptimeGuard__factory(deployer).deploy(
    await uptimeFeed.getAddress(),
    deployer.address,
  );
  const oracle = await new OracleAdapter__factory(deployer).deploy(
    await calendar.getAddress(),
    await guard.getAddress(),
    deployer.address,
  );
  for (const role of [
    oracle.MARKET_LISTER_ROLE(),
    oracle.RISK_MANAGER_ROLE(),
    oracle.TRADE_REPORTER_ROLE(),
  ]) {
    await oracle.grantRole(await role, deployer.address);
  }
  const defaults = await oracle.defaultMarketParams(500); // LULD tier 1: b_tier = 5 %
  const params = {
    bandTierBps: defaults.bandTierBps,
    bandCapBps: defaults.bandCapBps,
    maxDeviationBps: defaults.maxDeviationBps,
    maxEmaStepBps: defaults.maxEmaStepBps,
    quoteWeightBps: defaults.quoteWeightBps,
    bandHorizonSec: defaults.bandHorizonSec,
    emaTauSec: defaults.emaTauSec,
    emaMaxDtSec: defaults.emaMaxDtSec,
    reopeningWindowSec: defaults.reopeningWindowSec,
    minTradeNotionalX18: defaults.minTradeNotionalX18,
  };
  let truePrice = 230;
  await oracle.listMarket(MARKET, params, toX18(truePrice));
  for (const session of [Session.PRE_MARKET, Session.REGULAR, Session.POST_MARKET, Session.OVERNIGHT]) {
    await oracle.setSessionSources(MARKET, session, await pythSource.getAddress(), ethers.ZeroAddress);
  }
  console.log(`calendar   ${await calendar.getAddress()} (${days.length} NYSE days, 2026–2028)`);
  console.log(
    `oracle     ${await oracle.getAddress()} (AAPL-USD, band tier 5 %, cap ${params.bandCapBps / 100n} %)`,
  );
  console.log(
    `pyth       ${await pythSource.getAddress()} over MockPyth; sequencer guard over MockV3Aggregator\n`,
  );

  // ---------------------------------------------------------------- the week
  const rand = random(20261126);
  const points: ChartPoint[] = [];
  let previousPublish = 0;
  let lastState = "";
  let trades = 0;
  let gapEvents = 0;
  const timeIn = new Map<string, number>();
  console.log(
    `${"New York time".padEnd(20)} ${"session".padEnd(12)} ${"state".padEnd(10)} ${"origin".padEnd(12)} ${"index".padStart(9)} ${"mark".padStart(9)}   band`,
  );

  for (let now = START; now <= END; now += STEP) {
    const session = sdkCalendar.sessionAt(now);
    const live = session !== Session.CLOSED;
    // The stock's own price: a random walk while it trades; the weekend news is priced in at the reopen.
    if (live) truePrice *= 1 + (rand() - 0.5) * 0.004;
    if (live && now >= NEWS && truePrice < 252) truePrice = 253.5; // Monday opens ~10 % higher

    await networkHelpers.time.setNextBlockTimestamp(now);
    if (live) {
      const publish = now;
      const update = await pyth.createPriceFeedUpdateData(
        PYTH_ID,
        BigInt(Math.round(truePrice * 10 ** -PYTH_EXPO)),
        BigInt(Math.round(truePrice * 10 ** -PYTH_EXPO * 0.0002)),
        PYTH_EXPO,
        BigInt(Math.round(truePrice * 10 ** -PYTH_EXPO)),
        0n,
        BigInt(publish),
        BigInt(previousPublish),
      );
      await pyth.updatePriceFeeds([update]);
      previousPublish = publish;
    } else {
      // The venue keeps trading. After the news, buyers lift the price on Sundial (~+1.5 % an hour).
      const state = await oracle.priceState(MARKET);
      const drift = now >= NEWS ? 0.0025 : 0;
      const price = usd(state.markPriceX18) * (1 + drift + (rand() - 0.5) * 0.002);
      await oracle.recordTrade(MARKET, toX18(price), toX18(50_000));
      trades += 1;
    }
    await networkHelpers.time.setNextBlockTimestamp(now + 1);
    const receipt = await (await oracle.poke(MARKET)).wait();
    gapEvents +=
      receipt?.logs.filter((log) => log.topics[0] === oracle.interface.getEvent("ReopenGap").topicHash)
        .length ?? 0;

    const state = await oracle.priceState(MARKET);
    const stateName = STATES[Number(state.state)] ?? "?";
    const originName = ORIGINS[Number(state.origin)] ?? "?";
    const sessionName = Session[Number(state.session)] ?? "?";
    timeIn.set(stateName, (timeIn.get(stateName) ?? 0) + STEP);
    points.push({
      time: now,
      index: usd(state.indexPriceX18),
      mark: usd(state.markPriceX18),
      bandLow: usd(state.bandLowX18),
      bandHigh: usd(state.bandHighX18),
      closed: stateName === "CLOSED",
    });
    const key = `${sessionName}/${stateName}`;
    if (key !== lastState) {
      const band =
        stateName === "CLOSED"
          ? `${usd(state.bandLowX18).toFixed(2)}–${usd(state.bandHighX18).toFixed(2)}`
          : "";
      console.log(
        `${label(now).padEnd(20)} ${sessionName.padEnd(12)} ${stateName.padEnd(10)} ${originName.padEnd(12)} ${usd(state.indexPriceX18).toFixed(2).padStart(9)} ${usd(state.markPriceX18).toFixed(2).padStart(9)}   ${band}`,
      );
      lastState = key;
    }
  }

  // ---------------------------------------------------------------- report
  const lastPoint = points[points.length - 1];
  const fridayClose = points.filter((p) => !p.closed && p.time < NEWS).pop();
  const weekendHigh = Math.max(...points.filter((p) => p.closed && p.time >= NEWS).map((p) => p.mark));
  const weekendBand = points.filter((p) => p.closed && p.time >= NEWS).pop();
  console.log("\nReport");
  console.log(`  steps: ${points.length} × ${STEP / 60} min; venue trades reported while closed: ${trades}`);
  console.log(
    `  time per oracle state: ${[...timeIn].map(([s, t]) => `${s} ${(t / 3600).toFixed(1)} h`).join(", ")}`,
  );
  if (fridayClose !== undefined && weekendBand !== undefined && lastPoint !== undefined) {
    console.log(
      `  last live price before the weekend: ${fridayClose.index.toFixed(2)} (${label(fridayClose.time)})`,
    );
    console.log(
      `  weekend mark after the news peaked at ${weekendHigh.toFixed(2)}; band at Sunday 20:00: ${weekendBand.bandLow.toFixed(2)}–${weekendBand.bandHigh.toFixed(2)}`,
    );
    console.log(
      `  Monday price ${lastPoint.index.toFixed(2)}; ReopenGap events (gap beyond the band): ${gapEvents}`,
    );
  }
  const inside = points
    .filter((p) => p.closed)
    .every((p) => p.mark >= p.bandLow - 1e-6 && p.mark <= p.bandHigh + 1e-6);
  console.log(
    `  invariant INV-7 (closed mark inside the band at every step): ${inside ? "holds" : "VIOLATED"}`,
  );
  if (!inside) process.exitCode = 1;

  mkdirSync("out", { recursive: true });
  const chart = "out/demo-week.svg";
  writeFileSync(
    chart,
    renderChart("AAPL-USD on Sundial, Thanksgiving week 2026 (New York time)", points, label),
  );
  console.log(`  chart: ${chart}`);
}

await main();
