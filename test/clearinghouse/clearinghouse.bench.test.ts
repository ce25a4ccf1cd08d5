import { expect } from "chai";
import { Wallet, encodeBytes32String, id, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import { Session } from "../../sdk/calendar.js";
import { defaultFundingParams, defaultRiskParams } from "../../sdk/margin.js";
import { accountId, orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketCalendar__factory,
  MarketRegistry__factory,
  MockPriceSource__factory,
  MockUSDC__factory,
  OracleAdapter__factory,
  type Clearinghouse,
  type OracleAdapter,
} from "../../typechain-types/index.js";

/**
 * Gas benchmark of the clearinghouse on the fully wired system: the REAL MarketCalendar and
 * OracleAdapter (one MockPriceSource for every live session), CollateralVault, MarketRegistry with
 * the suggested large-cap parameters, Clearinghouse at its deployed (via-IR) build. Every figure is
 * a real transaction's receipt (`gasUsed`: 21,000 + calldata + execution, every slot cold as in
 * production); a view (`accountHealth`) is measured by sending the same call as a transaction.
 *
 * Each match is between two accounts of its own (a batch of 50 touches 100 accounts), in one market
 * (AAPL, regular hours, OPEN), at the mark. Compared with the committed snapshot
 * `clearinghouse.gas.json`: a figure more than 2 % above its snapshot fails;
 * UPDATE_GAS_SNAPSHOT=1 rewrites the snapshot. Table and discussion: docs/clearinghouse-gas.md.
 */
// Prague, not Hardhat's default Osaka: Osaka's EIP-7825 caps a transaction at 2^24 gas, which a
// 50-match batch of opens exceeds (see docs/clearinghouse-gas.md); the benchmark measures it anyway.
const { ethers, networkHelpers } = await network.create({
  override: { initialDate: "2026-03-09T00:00:00Z", hardfork: "prague", blockGasLimit: 100_000_000n },
});

type MarketParamsStruct = Parameters<OracleAdapter["listMarket"]>[1];

const SNAPSHOT = new URL("./clearinghouse.gas.json", import.meta.url);
const TOLERANCE = 0.02;
/** SPEC 5.2 / gas target: at most 100,000 gas per match in a 50-match batch (aim 60,000). */
const SPEC_MAX_GAS_PER_MATCH = 100_000;
/** EIP-7825 (Osaka): the largest gas limit of one transaction. */
const EIP7825_TX_GAS_CAP = 2 ** 24;
const BATCH_GAS_LIMIT = 90_000_000n;
const E18 = 10n ** 18n;
const USDC = 10n ** 6n;
const SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOG", "META", "SPY", "QQQ", "NFLX"];
const MARKETS = SYMBOLS.map((s) => encodeBytes32String(`${s}-USD`));
const PRICE_X18 = 100n * E18;
const TRADERS = 212;
/** Tuesday 10 March 2026, 14:00 UTC: regular hours (EDT). */
const START = Date.UTC(2026, 2, 10, 14, 0, 0) / 1000;
const EXPIRY = BigInt(Date.UTC(2027, 0, 1) / 1000);

const traders: Wallet[] = Array.from(
  { length: TRADERS },
  (_, i) => new Wallet(id(`sundial bench trader ${i}`)),
);
let nextNonce = 0n;

function trader(i: number): Wallet {
  const w = traders[i];
  if (w === undefined) throw new Error(`no trader ${i}`);
  return w;
}

function market(i: number): string {
  const m = MARKETS[i];
  if (m === undefined) throw new Error(`no market ${i}`);
  return m;
}

async function systemFixture() {
  const [admin, matcher] = await ethers.getSigners();
  if (admin === undefined || matcher === undefined) throw new Error("no signers");
  await networkHelpers.time.increaseTo(START);
  const calendar = await new MarketCalendar__factory(admin).deploy(admin.address, [], []);
  const adapter = await new OracleAdapter__factory(admin).deploy(calendar, ethers.ZeroAddress, admin.address);
  const source = await new MockPriceSource__factory(admin).deploy();
  const usdc = await new MockUSDC__factory(admin).deploy();
  const fund = await new InsuranceFund__factory(admin).deploy(usdc, admin.address);
  const vault = await new CollateralVault__factory(admin).deploy(usdc, fund, admin.address, admin.address);
  const registry = await new MarketRegistry__factory(admin).deploy(adapter, admin.address);
  const ch = await new Clearinghouse__factory(admin).deploy(
    vault,
    adapter,
    registry,
    admin.address,
    admin.address,
  );
  await fund.setVault(vault);
  await vault.setMarginAuthority(ch);
  await adapter.grantRole(await adapter.MARKET_LISTER_ROLE(), admin.address);
  await adapter.grantRole(await adapter.TRADE_REPORTER_ROLE(), ch);
  await registry.grantRole(await registry.MARKET_LISTER_ROLE(), admin.address);
  await ch.grantRole(await ch.MATCHER_ROLE(), matcher.address);
  const d = await adapter.defaultMarketParams(500);
  const oracleParams: MarketParamsStruct = {
    bandTierBps: d.bandTierBps,
    bandCapBps: d.bandCapBps,
    maxDeviationBps: d.maxDeviationBps,
    maxEmaStepBps: d.maxEmaStepBps,
    quoteWeightBps: d.quoteWeightBps,
    bandHorizonSec: d.bandHorizonSec,
    emaTauSec: d.emaTauSec,
    emaMaxDtSec: d.emaMaxDtSec,
    reopeningWindowSec: d.reopeningWindowSec,
    minTradeNotionalX18: d.minTradeNotionalX18,
  };
  const b = await registry.defaultCircuitBreakerParams();
  const config = {
    listed: true,
    status: 0,
    tickSizeX18: 10n ** 16n,
    stepSizeX18: 10n ** 15n,
    minOrderSizeX18: 10n ** 15n,
    funding: defaultFundingParams(),
    breaker: {
      level1Bps: b.level1Bps,
      level2Bps: b.level2Bps,
      level3Bps: b.level3Bps,
      windowSec: b.windowSec,
      level1HaltSec: b.level1HaltSec,
      level2HaltSec: b.level2HaltSec,
      level3HaltSec: b.level3HaltSec,
      reduceOnlySec: b.reduceOnlySec,
    },
  };
  const sessions = [
    Session.CLOSED,
    Session.PRE_MARKET,
    Session.REGULAR,
    Session.POST_MARKET,
    Session.OVERNIGHT,
  ];
  const [p0, p1, p2, p3, p4] = sessions.map((s) => defaultRiskParams(s));
  if (p0 === undefined || p1 === undefined || p2 === undefined || p3 === undefined || p4 === undefined) {
    throw new Error("no session params");
  }
  for (const marketId of MARKETS) {
    await adapter.listMarket(marketId, oracleParams, PRICE_X18);
    for (const session of [Session.PRE_MARKET, Session.REGULAR, Session.POST_MARKET, Session.OVERNIGHT]) {
      await adapter.setSessionSources(marketId, session, source, ethers.ZeroAddress);
    }
    await registry.listMarket(marketId, config, [p0, p1, p2, p3, p4]);
  }
  // Open every market: first post-open print (REOPENING), then past the 5-minute reopening window.
  for (const delay of [60, 6 * 60]) {
    await networkHelpers.time.increase(delay);
    const now = await networkHelpers.time.latest();
    for (const marketId of MARKETS) await source.setPrice(marketId, PRICE_X18, now);
    for (const marketId of MARKETS) await adapter.poke(marketId);
  }
  const total = BigInt(TRADERS) * 1_000_000n * USDC;
  await usdc.mint(admin.address, total);
  await usdc.approve(vault, total);
  for (const w of traders) await vault.depositFor(accountId(w.address, 0n), 1_000_000n * USDC);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = orderDomain(chainId, await ch.getAddress());
  return { ch, adapter, source, vault, matcher, domain };
}

type System = Awaited<ReturnType<typeof systemFixture>>;

interface MatchInput {
  maker: Order;
  makerSignature: string;
  taker: Order;
  takerSignature: string;
  fillSizeX18: bigint;
}

function order(owner: Wallet, marketId: string, isBuy: boolean, sizeX18: bigint): Order {
  return {
    owner: owner.address,
    subaccount: 0n,
    signer: owner.address,
    marketId,
    isBuy,
    sizeX18,
    limitPriceX18: PRICE_X18,
    expiry: EXPIRY,
    nonce: nextNonce++,
    epoch: 0n,
    flags: 0,
  };
}

/** `maker` buys (`makerBuys`) or sells `size` shares from `taker` at the mark. */
async function signedMatch(
  sys: System,
  maker: Wallet,
  taker: Wallet,
  marketId: string,
  makerBuys: boolean,
  sizeX18: bigint,
): Promise<MatchInput> {
  const makerOrder = order(maker, marketId, makerBuys, sizeX18);
  const takerOrder = order(taker, marketId, !makerBuys, sizeX18);
  return {
    maker: makerOrder,
    makerSignature: await signOrder(maker, sys.domain, makerOrder),
    taker: takerOrder,
    takerSignature: await signOrder(taker, sys.domain, takerOrder),
    fillSizeX18: sizeX18,
  };
}

function calldataGas(data: string): number {
  return ethers.getBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

interface Measured {
  gasUsed: number;
  calldata: number;
}

/**
 * Pushes every market's price (observed at the next block's time) and pins the next block 100 s
 * after the last one, so that funding accrues over a known interval and the sources are fresh.
 */
async function nextBlock(sys: System): Promise<void> {
  const t = (await networkHelpers.time.latest()) + 100;
  for (const marketId of MARKETS) await sys.source.setPrice(marketId, PRICE_X18, t);
  await networkHelpers.time.setNextBlockTimestamp(t);
}

async function measureTx(send: () => Promise<ContractTransactionResponse>): Promise<Measured> {
  const tx = await send();
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  return { gasUsed: Number(receipt.gasUsed), calldata: calldataGas(tx.data) };
}

/** Settles `matches` in one batch and checks that every match settled. */
async function settle(sys: System, matches: MatchInput[]): Promise<Measured> {
  await nextBlock(sys);
  const ch: Clearinghouse = sys.ch.connect(sys.matcher);
  const tx = await ch.settleMatches(matches, { gasLimit: BATCH_GAS_LIMIT });
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  const settled = receipt.logs.filter(
    (log) => log.topics[0] === ch.interface.getEvent("MatchSettled").topicHash,
  ).length;
  expect(settled, "every match of the batch settles").to.equal(matches.length);
  return { gasUsed: Number(receipt.gasUsed), calldata: calldataGas(tx.data) };
}

/** Pairs i = 0..n-1: maker = trader 2i + offset, taker = trader 2i + 1 + offset. */
async function pairBatch(
  sys: System,
  n: number,
  makerBuys: boolean,
  sizeX18: bigint,
  offset = 0,
  marketId = market(0),
): Promise<MatchInput[]> {
  const matches: MatchInput[] = [];
  for (let i = 0; i < n; ++i) {
    matches.push(
      await signedMatch(
        sys,
        trader(offset + 2 * i),
        trader(offset + 2 * i + 1),
        marketId,
        makerBuys,
        sizeX18,
      ),
    );
  }
  return matches;
}

/** What each kind of match does to the maker's position (prepared by an unmeasured batch). */
const KINDS: Record<string, { prepare: bigint; makerBuys: boolean; size: bigint }> = {
  open: { prepare: 0n, makerBuys: true, size: E18 },
  increase: { prepare: E18, makerBuys: true, size: E18 },
  reduce: { prepare: 2n * E18, makerBuys: false, size: E18 },
  close: { prepare: E18, makerBuys: false, size: E18 },
  flip: { prepare: E18, makerBuys: false, size: 2n * E18 },
};
const BATCH_SIZES = [1, 10, 50];

describe("clearinghouse gas benchmark", function () {
  const measured: Record<string, number> = {};
  const put = (label: string, value: number): void => {
    measured[label] = value;
  };

  for (const [kind, spec] of Object.entries(KINDS)) {
    for (const n of BATCH_SIZES) {
      it(`settles a batch of ${n} ${kind} match${n > 1 ? "es" : ""}`, async function () {
        const sys = await networkHelpers.loadFixture(systemFixture);
        if (spec.prepare !== 0n) await settle(sys, await pairBatch(sys, n, true, spec.prepare));
        const m = await settle(sys, await pairBatch(sys, n, spec.makerBuys, spec.size));
        put(`settleMatches ${kind} x${n}: total gas`, m.gasUsed);
        put(`settleMatches ${kind} x${n}: gas per match`, Math.round(m.gasUsed / n));
        put(
          `settleMatches ${kind} x${n}: execution gas per match`,
          Math.round((m.gasUsed - 21_000 - m.calldata) / n),
        );
        put(`settleMatches ${kind} x${n}: calldata gas per match`, Math.round(m.calldata / n));
      });
    }
  }

  it("funds 1 and 5 markets", async function () {
    const sys = await networkHelpers.loadFixture(systemFixture);
    const batch: MatchInput[] = [];
    for (let i = 0; i < 5; ++i)
      batch.push(await signedMatch(sys, trader(0), trader(1), market(i), true, E18));
    await settle(sys, batch);
    const snapshot = await networkHelpers.takeSnapshot();
    await nextBlock(sys);
    put("fund: 1 market", (await measureTx(() => sys.ch.fund([market(0)]))).gasUsed);
    await snapshot.restore();
    await nextBlock(sys);
    put("fund: 5 markets", (await measureTx(() => sys.ch.fund(MARKETS.slice(0, 5)))).gasUsed);
  });

  it("reads accountHealth of an account in 1 and in 10 markets", async function () {
    const sys = await networkHelpers.loadFixture(systemFixture);
    const batch: MatchInput[] = [];
    for (let i = 0; i < 10; ++i)
      batch.push(await signedMatch(sys, trader(0), trader(1), market(i), true, E18));
    batch.push(await signedMatch(sys, trader(2), trader(3), market(0), true, E18));
    await settle(sys, batch);
    await nextBlock(sys);
    const health = (w: Wallet) => () => sys.ch.accountHealth.send(accountId(w.address, 0n));
    put("accountHealth: 1 market", (await measureTx(health(trader(2)))).gasUsed);
    await nextBlock(sys);
    put("accountHealth: 10 markets", (await measureTx(health(trader(0)))).gasUsed);
  });

  it("costs the same whether 2 or 100 other traders hold positions in the market", async function () {
    const costs: Record<number, { match: number; fund: number; withdraw: number; health: number }> = {};
    for (const others of [2, 100]) {
      const sys = await networkHelpers.loadFixture(systemFixture);
      // `others` traders (from index 12) already hold positions against each other.
      await settle(sys, await pairBatch(sys, others / 2, true, E18, 12));
      const p = trader(TRADERS - 2);
      const q = trader(TRADERS - 1);
      nextNonce = 1_000_000n; // identical orders (and calldata) in both scenarios
      const match = (await settle(sys, [await signedMatch(sys, p, q, market(0), true, E18)])).gasUsed;
      await nextBlock(sys);
      const fund = (await measureTx(() => sys.ch.fund([market(0)]))).gasUsed;
      await nextBlock(sys);
      const health = (await measureTx(() => sys.ch.accountHealth.send(accountId(p.address, 0n)))).gasUsed;
      await networkHelpers.setBalance(p.address, 10n ** 18n);
      await nextBlock(sys);
      const owner = p.connect(ethers.provider);
      const withdraw = (await measureTx(() => sys.vault.connect(owner).withdraw(0, 1_000n * USDC, p.address)))
        .gasUsed;
      costs[others] = { match, fund, withdraw, health };
    }
    const one = costs[2];
    const hundred = costs[100];
    if (one === undefined || hundred === undefined) throw new Error("missing scenario");
    expect(hundred.match, "a match").to.equal(one.match);
    expect(hundred.fund, "fund").to.equal(one.fund);
    expect(hundred.health, "accountHealth").to.equal(one.health);
    expect(hundred.withdraw, "withdraw").to.equal(one.withdraw);
    put("one match, 2 other traders in the market", one.match);
    put("one match, 100 other traders in the market", hundred.match);
    put("fund, 2 other traders in the market", one.fund);
    put("fund, 100 other traders in the market", hundred.fund);
    put("withdraw with a position, 2 other traders in the market", one.withdraw);
    put("withdraw with a position, 100 other traders in the market", hundred.withdraw);
  });

  /** Every kind whose 50-match batch measures above `limit` (label: gas per match or total). */
  const above = (suffix: string, limit: number): string[] =>
    Object.keys(KINDS)
      .map((kind) => [kind, measured[`settleMatches ${kind} x50: ${suffix}`]] as const)
      .filter(([, gas]) => gas === undefined || gas > limit)
      .map(([kind, gas]) => `${kind}: ${gas?.toLocaleString("en-US") ?? "not measured"}`);

  it("FINDING 3: meets the SPEC target of at most 100,000 gas per match in a 50-match batch", function () {
    expect(above("gas per match", SPEC_MAX_GAS_PER_MATCH), "gas per match above 100,000").to.deep.equal([]);
  });

  it("FINDING 3: fits a 50-match batch of every kind in one transaction under the EIP-7825 cap (2^24 gas)", function () {
    expect(above("total gas", EIP7825_TX_GAS_CAP), "50-match batches above 2^24 gas").to.deep.equal([]);
  });

  after(async function () {
    console.log(
      ["      | operation | gas |", "      |---|---:|"]
        .concat(
          Object.entries(measured).map(
            ([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`,
          ),
        )
        .join("\n"),
    );
  });

  it("matches the committed snapshot (fails on a regression above 2 %)", async function () {
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    const snapshot = JSON.parse(await readFile(SNAPSHOT, "utf8")) as Record<string, number>;
    for (const [label, gas] of Object.entries(measured)) {
      const reference = snapshot[label];
      expect(reference, `${label}: in the snapshot`).to.not.equal(undefined);
      expect(gas, `${label}: regression above 2 %`).to.be.at.most(
        Math.floor((reference ?? 0) * (1 + TOLERANCE)),
      );
    }
  });
});
