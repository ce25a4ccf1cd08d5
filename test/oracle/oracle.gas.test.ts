import { expect } from "chai";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import { loadCalendarFile, Session } from "../../sdk/calendar.js";
import {
  MarketCalendar__factory,
  MockPriceSource__factory,
  MockSequencerGuard__factory,
  OracleAdapter__factory,
  OracleCorporateActions__factory,
  type MockPriceSource,
  type OracleAdapter,
} from "../../typechain-types/index.js";

type MarketParamsStruct = Parameters<OracleAdapter["listMarket"]>[1];

/**
 * Gas of the oracle adapter's hot paths on the REAL MarketCalendar (NYSE data) with an L2
 * sequencer guard, measured as real transactions so that every storage slot and account is cold
 * (the first read of a transaction): execution gas = receipt gas - 21,000 - calldata gas.
 * `priceState` is a view; it is measured by sending the same call as a transaction.
 * Compared with the committed snapshot `oracle.gas.json`; run with UPDATE_GAS_SNAPSHOT=1 to
 * rewrite it after an intended change.
 */
// The chain starts on a fixed date, so the measured week (Nov 16-24 2026, no holiday) never
// depends on the machine's clock.
const { ethers, networkHelpers } = await network.create({
  override: { initialDate: "2026-11-15T00:00:00Z" },
});

const SNAPSHOT = new URL("./oracle.gas.json", import.meta.url);
const AAPL = ethers.encodeBytes32String("AAPL-USD");
const E18 = 10n ** 18n;
/**
 * Budgets for the clearinghouse's one read in the two common states. OPEN includes two source
 * reads (primary + secondary, ~14,000 each with these mocks, see the reference row), the sequencer
 * guard and the calendar; CLOSED one signed-quote read and the calendar.
 */
const BUDGETS: Record<string, number> = {
  "priceState: OPEN (primary + secondary read)": 80_000,
  "priceState: CLOSED (P + signed-quote blend)": 50_000,
};

const utc = (iso: string): number => Date.parse(iso) / 1000;

async function deployOracleFixture() {
  const [admin, clearinghouse] = await ethers.getSigners();
  if (admin === undefined || clearinghouse === undefined) throw new Error("no signers");
  const { days, kinds } = (await loadCalendarFile()).constructorArgs();
  await networkHelpers.time.increaseTo(utc("2026-11-16T15:00:00Z")); // Mon 10:00 EST
  const calendar = await new MarketCalendar__factory(admin).deploy(admin.address, days, kinds);
  const guard = await new MockSequencerGuard__factory(admin).deploy();
  const adapter = await new OracleAdapter__factory(admin).deploy(calendar, guard, admin.address);
  const actions = OracleCorporateActions__factory.connect(await adapter.corporateActions(), admin);
  const source = () => new MockPriceSource__factory(admin).deploy();
  const [feeds, pyth, streams, quotes] = await Promise.all([source(), source(), source(), source()]);
  await adapter.grantRole(await adapter.MARKET_LISTER_ROLE(), admin.address);
  await adapter.grantRole(await adapter.RISK_MANAGER_ROLE(), admin.address);
  await adapter.grantRole(await adapter.TRADE_REPORTER_ROLE(), clearinghouse.address);
  await actions.grantRole(await actions.CORPORATE_ACTIONS_ROLE(), admin.address);
  const d = await adapter.defaultMarketParams(500);
  const params: MarketParamsStruct = {
    bandTierBps: d.bandTierBps,
    bandCapBps: d.bandCapBps,
    maxDeviationBps: d.maxDeviationBps,
    maxEmaStepBps: d.maxEmaStepBps,
    quoteWeightBps: 2500n, // blend signed weekend quotes at 25 %
    bandHorizonSec: d.bandHorizonSec,
    emaTauSec: d.emaTauSec,
    emaMaxDtSec: d.emaMaxDtSec,
    reopeningWindowSec: d.reopeningWindowSec,
    minTradeNotionalX18: d.minTradeNotionalX18,
  };
  await adapter.listMarket(AAPL, params, 100n * E18);
  const none = ethers.ZeroAddress;
  await adapter.setSessionSources(AAPL, Session.REGULAR, feeds, pyth);
  await adapter.setSessionSources(AAPL, Session.PRE_MARKET, streams, none);
  await adapter.setSessionSources(AAPL, Session.POST_MARKET, streams, none);
  await adapter.setSessionSources(AAPL, Session.OVERNIGHT, streams, none);
  await adapter.setSessionSources(AAPL, Session.CLOSED, quotes, none);
  return { admin, clearinghouse, adapter, actions, feeds, pyth, streams, quotes };
}

function calldataGas(data: string): number {
  return ethers.getBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

async function executionGas(to: OracleAdapter | MockPriceSource, data: string, from = 0): Promise<number> {
  const signer = (await ethers.getSigners())[from];
  if (signer === undefined) throw new Error("no signer");
  const receipt = await (await signer.sendTransaction({ to: await to.getAddress(), data })).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed) - 21_000 - calldataGas(data);
}

async function at(iso: string): Promise<void> {
  await networkHelpers.time.increaseTo(utc(iso));
}

async function push(source: MockPriceSource, priceX18: bigint): Promise<void> {
  await source.setPrice(AAPL, priceX18, (await networkHelpers.time.latest()) + 1);
}

describe("oracle adapter gas", function () {
  it("measures priceState in every state, poke and recordTrade, and matches the snapshot", async function () {
    const { adapter, actions, feeds, pyth, streams, quotes } =
      await networkHelpers.loadFixture(deployOracleFixture);
    const measured: Record<string, number> = {};
    const state = adapter.interface.encodeFunctionData("priceState", [AAPL]);
    const poke = adapter.interface.encodeFunctionData("poke", [AAPL]);
    const trade = adapter.interface.encodeFunctionData("recordTrade", [AAPL, 101n * E18, 5_000n * E18]);
    const expectState = async (expected: bigint, label: string) =>
      expect((await adapter.priceState(AAPL)).state, label).to.equal(expected);
    const measure = async (label: string, data: string, from = 0) => {
      measured[label] = await executionGas(adapter, data, from);
    };

    // Monday 10:05 EST, REGULAR: the first post-open prints (Data Feeds + Pyth).
    await at("2026-11-16T15:05:00Z");
    await push(feeds, 100n * E18);
    await push(pyth, 100n * E18);
    await measure("poke: reopen snap (CLOSED -> REOPENING)", poke);
    await expectState(3n, "REOPENING");
    await measure("priceState: REOPENING", state);
    await at("2026-11-16T15:11:00Z");
    await push(feeds, 100n * E18);
    await push(pyth, 100n * E18);
    await adapter.poke(AAPL); // REOPENING -> OPEN
    await at("2026-11-16T15:12:00Z");
    await push(feeds, 100n * E18);
    await push(pyth, 100n * E18);
    await expectState(0n, "OPEN");
    await measure("priceState: OPEN (primary + secondary read)", state);
    await measure("poke: OPEN, new price recorded", poke);
    await measure("recordTrade: OPEN (ignored: cheap path)", trade, 1);
    const read = feeds.interface.encodeFunctionData("latestPrice", [AAPL, 120]);
    measured["reference: one MockPriceSource.latestPrice"] = await executionGas(feeds, read);

    // Both regular sources fail: DEGRADED.
    await at("2026-11-16T15:20:00Z");
    await feeds.setReverting(AAPL, true);
    await pyth.setReverting(AAPL, true);
    await expectState(2n, "DEGRADED");
    await measure("priceState: DEGRADED (both sources revert)", state);
    await measure("poke: OPEN -> DEGRADED", poke);
    await measure("recordTrade: DEGRADED (moves P)", trade, 1);

    // Friday 19:59 EST last post-market print; Saturday: CLOSED.
    await at("2026-11-21T00:59:00Z");
    await push(streams, 101n * E18);
    await at("2026-11-21T17:00:00Z");
    await push(quotes, 101n * E18);
    await expectState(1n, "CLOSED");
    await measure("priceState: CLOSED, close not yet recorded (catch-up read)", state);
    await measure("poke: into CLOSED (catch-up, anchor)", poke);
    await at("2026-11-21T17:10:00Z");
    await push(quotes, 101n * E18);
    await measure("priceState: CLOSED (P + signed-quote blend)", state);
    await measure("recordTrade: CLOSED (moves P)", trade, 1);
    await measure("poke: CLOSED, nothing new", poke);

    // A 2:1 split effective Sunday 14:00 EST: HALTED until a poke applies it.
    await actions.scheduleSplit(AAPL, utc("2026-11-22T19:00:00Z"), 2, 1);
    await at("2026-11-22T19:00:10Z");
    await expectState(4n, "HALTED");
    await measure("priceState: HALTED (split due)", state);
    await measure("poke: apply a split", poke);

    // Sunday 20:00 EST: overnight reopen on Data Streams.
    await at("2026-11-23T01:00:10Z");
    await push(streams, 51n * E18);
    await measure("poke: reopen on the overnight session", poke);

    // A delisting effective Tuesday: SETTLED (due), applied, then stored.
    await actions.scheduleDelisting(AAPL, utc("2026-11-24T12:00:00Z"), 50n * E18);
    await at("2026-11-24T12:00:10Z");
    await expectState(5n, "SETTLED");
    await measure("priceState: SETTLED (delisting due)", state);
    await measure("poke: apply a delisting", poke);
    await measure("priceState: SETTLED", state);

    console.log(
      ["      | call | execution gas |", "      |---|---:|"]
        .concat(
          Object.entries(measured).map(
            ([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`,
          ),
        )
        .join("\n"),
    );
    for (const [label, budget] of Object.entries(BUDGETS)) {
      expect(measured[label], label).to.be.lessThan(budget);
    }
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    expect(measured).to.deep.equal(JSON.parse(await readFile(SNAPSHOT, "utf8")));
  });
});
