import { expect } from "chai";
import { Wallet, id, type Signer } from "ethers";
import { network } from "hardhat";
import { loadCalendarFile, Session } from "../../sdk/calendar.js";
import { accountId, orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  LiquidationEngine__factory,
  MarketCalendar__factory,
  MarketRegistry__factory,
  MockOracleAdapter__factory,
  MockPriceSource__factory,
  MockSequencerGuard__factory,
  MockUSDC__factory,
  OracleAdapter__factory,
  type MockPriceSource,
} from "../../typechain-types/index.js";
import { matchesGasSnapshot } from "../utils/gasSnapshot.js";
import { defaultMarketConfig, defaultSessionParams } from "../utils/listing.js";

/**
 * Gas benchmark of liquidation on the production wiring: the REAL OracleAdapter (NYSE calendar,
 * primary + secondary mock sources, an L2 sequencer guard), vault, insurance fund, registry,
 * clearinghouse and liquidation engine, measured as real transactions (whole-transaction gas from
 * the receipt: the 21,000 base and calldata included).
 *
 * - `liquidate` of an account in one market: partial (half, the keeper passing the exact size),
 *   full (below MM / 2, penalty capped), full of a bankrupt account whose bad debt the insurance fund
 *   covers in the same transaction, and partial with the keeper passing `type(uint256).max` (the
 *   engine re-runs the move with the allowed size: two market reads).
 * - `settleBadDebt` of an account without positions.
 * - one ADL step against the top-ranked of two opposite-side accounts.
 * - the partial liquidation again with 100 other traders holding positions: must cost the same.
 * - reference, not a protocol configuration: the same lone partial liquidation with the clearinghouse
 *   reading `MockOracleAdapter` (a price state read from storage), and that read alone; what the
 *   pull oracle's read costs a liquidation (docs/liquidation.md; its own snapshot file).
 *
 * Compared with the committed snapshot `liquidation.gas.json` (fails on any figure more than 2 %
 * above it); `UPDATE_GAS_SNAPSHOT=1` rewrites it.
 */
const { ethers, networkHelpers } = await network.create({
  override: { initialDate: "2026-11-15T00:00:00Z" },
});

const SNAPSHOT = new URL("./liquidation.gas.json", import.meta.url);
const REFERENCE_SNAPSHOT = new URL("./liquidation.reference.gas.json", import.meta.url);
const TOLERANCE_BPS = 200n; // a regression above 2 % fails
const X18 = 10n ** 18n;
const USDC = 10n ** 6n;
const PRICE = 100n * X18;
const AAPL = ethers.encodeBytes32String("AAPL-USD");
const SIZE = 90n * X18;

const utc = (iso: string): number => Date.parse(iso) / 1000;
const wallet = (name: string) => new Wallet(id(`sundial-liquidation-bench-${name}`));
const MAKER = wallet("maker");
const TARGET = wallet("target");
const VICTIMS = Array.from({ length: 6 }, (_, i) => wallet(`victim-${i}`));
const CROWD = Array.from({ length: 200 }, (_, i) => wallet(`crowd-${i}`));

/**
 * The system of the benchmark. With `storedOracle` the clearinghouse reads a `MockOracleAdapter`
 * instead: a price state set by a transaction and read from storage (no source, calendar or guard
 * read by the oracle), the reference for what the pull oracle's read costs a liquidation.
 */
async function deploy(storedOracle: boolean) {
  const [admin, matcher, keeper] = (await ethers.getSigners()) as unknown as [Signer, Signer, Signer];
  const adminAddress = await admin.getAddress();
  await travelTo("2026-11-16T15:00:00Z"); // Monday 10:00 New York
  const { days, kinds } = (await loadCalendarFile()).constructorArgs();
  const calendar = await new MarketCalendar__factory(admin).deploy(adminAddress, days, kinds);
  const guard = await new MockSequencerGuard__factory(admin).deploy();
  const oracle = await new OracleAdapter__factory(admin).deploy(calendar, guard, adminAddress);
  const stored = storedOracle ? await new MockOracleAdapter__factory(admin).deploy(guard) : undefined;
  const chOracle = stored ?? oracle;
  const source = () => new MockPriceSource__factory(admin).deploy();
  const [feeds, pyth, streams, quotes] = await Promise.all([source(), source(), source(), source()]);
  await oracle.grantRole(await oracle.MARKET_LISTER_ROLE(), adminAddress);
  await oracle.grantRole(await oracle.RISK_MANAGER_ROLE(), adminAddress);
  const d = await oracle.defaultMarketParams(500);
  const usdc = await new MockUSDC__factory(admin).deploy();
  const insurance = await new InsuranceFund__factory(admin).deploy(await usdc.getAddress(), adminAddress);
  const vault = await new CollateralVault__factory(admin).deploy(
    await usdc.getAddress(),
    await insurance.getAddress(),
    adminAddress,
    adminAddress,
  );
  const registry = await new MarketRegistry__factory(admin).deploy(await chOracle.getAddress(), adminAddress);
  const ch = await new Clearinghouse__factory(admin).deploy(
    await vault.getAddress(),
    await chOracle.getAddress(),
    await registry.getAddress(),
    adminAddress,
    adminAddress,
  );
  const engine = await new LiquidationEngine__factory(admin).deploy(
    await ch.getAddress(),
    adminAddress,
    adminAddress,
  );
  await insurance.setVault(await vault.getAddress());
  await vault.setMarginAuthority(await ch.getAddress());
  await ch.grantRole(await ch.MATCHER_ROLE(), await matcher.getAddress());
  await ch.grantRole(await ch.LIQUIDATOR_ROLE(), await engine.getAddress());
  await vault.grantRole(await vault.LIQUIDATION_ROLE(), await engine.getAddress());
  await oracle.grantRole(await oracle.TRADE_REPORTER_ROLE(), await ch.getAddress());
  await registry.grantRole(await registry.MARKET_LISTER_ROLE(), adminAddress);

  const none = ethers.ZeroAddress;
  const oracleParams = {
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
  await oracle.listMarket(AAPL, oracleParams, PRICE);
  await oracle.setSessionSources(AAPL, Session.REGULAR, feeds, pyth);
  await oracle.setSessionSources(AAPL, Session.PRE_MARKET, streams, none);
  await oracle.setSessionSources(AAPL, Session.POST_MARKET, streams, none);
  await oracle.setSessionSources(AAPL, Session.OVERNIGHT, streams, none);
  await oracle.setSessionSources(AAPL, Session.CLOSED, quotes, none);
  await stored?.list(AAPL, PRICE, d.bandCapBps);
  await registry.listMarket(AAPL, defaultMarketConfig(), defaultSessionParams());
  await travelTo("2026-11-16T15:05:00Z");
  await pushPrice(feeds, pyth, PRICE);
  await oracle.poke(AAPL);
  await travelTo("2026-11-16T15:11:00Z");
  await pushPrice(feeds, pyth, PRICE);
  await oracle.poke(AAPL);

  await usdc.mint(adminAddress, 100_000_000n * USDC);
  await usdc.approve(await vault.getAddress(), 100_000_000n * USDC);
  await usdc.approve(await insurance.getAddress(), 100_000_000n * USDC);
  await vault.depositFor(accountId(await insurance.getAddress(), 0n), 1_000_000n * USDC); // the backstop
  await insurance.donate(100_000n * USDC);
  await vault.depositFor(accountId(MAKER.address, 0n), 10_000_000n * USDC);
  await vault.depositFor(accountId(TARGET.address, 0n), 100_000n * USDC);
  for (const v of VICTIMS) await vault.depositFor(accountId(v.address, 0n), 1_000n * USDC);
  for (const c of CROWD) await vault.depositFor(accountId(c.address, 0n), 10_000n * USDC);

  const { chainId } = await ethers.provider.getNetwork();
  const domain = orderDomain(chainId, await ch.getAddress());
  const system = {
    admin,
    matcher,
    keeper,
    oracle,
    stored,
    ch,
    engine,
    vault,
    insurance,
    usdc,
    feeds,
    pyth,
    domain,
  };
  // Victims 0-3 buy 90 at 100 from the maker, victim 4 from the target; 50 crowd pairs trade 1 share.
  let nonce = 1n;
  for (const [i, v] of VICTIMS.entries()) {
    await trade(system, i === 4 ? TARGET : MAKER, v, SIZE, nonce++);
  }
  return system;
}

const deploySystem = () => deploy(false);
const deployStoredOracleSystem = () => deploy(true);
type System = Awaited<ReturnType<typeof deploySystem>>;

/** To `iso`, or no move when the chain is past it (a second fixture starts where the last test ended). */
async function travelTo(iso: string): Promise<void> {
  if ((await networkHelpers.time.latest()) < utc(iso)) await networkHelpers.time.increaseTo(utc(iso));
}

async function pushPrice(feeds: MockPriceSource, pyth: MockPriceSource, priceX18: bigint): Promise<void> {
  const observedAt = (await networkHelpers.time.latest()) + 1;
  await feeds.setPrice(AAPL, priceX18, observedAt);
  await pyth.setPrice(AAPL, priceX18, observedAt);
}

async function signed(
  system: Pick<System, "domain">,
  trader: Wallet,
  isBuy: boolean,
  size: bigint,
  nonce: bigint,
) {
  const order: Order = {
    owner: trader.address,
    subaccount: 0n,
    signer: trader.address,
    marketId: AAPL,
    isBuy,
    sizeX18: size,
    limitPriceX18: PRICE,
    expiry: BigInt(utc("2026-11-17T00:00:00Z")),
    nonce,
    epoch: 0n,
    flags: 0,
  };
  return { order, signature: await signOrder(trader, system.domain, order) };
}

/** `buyer` buys `size` from `seller` at 100. */
async function trade(
  system: Pick<System, "domain" | "ch" | "matcher" | "feeds" | "pyth">,
  seller: Wallet,
  buyer: Wallet,
  size: bigint,
  nonce: bigint,
): Promise<void> {
  const maker = await signed(system, seller, false, size, nonce);
  const taker = await signed(system, buyer, true, size, nonce);
  await pushPrice(system.feeds, system.pyth, PRICE);
  await system.ch.connect(system.matcher).settleMatches([
    {
      maker: maker.order,
      makerSignature: maker.signature,
      taker: taker.order,
      takerSignature: taker.signature,
      fillSizeX18: size,
    },
  ]);
}

/** Moves the external price (both sources) and records the circuit breaker's reaction with `fund`. */
async function moveTo(system: System, priceX18: bigint): Promise<void> {
  await pushPrice(system.feeds, system.pyth, priceX18);
  await system.ch.fund([AAPL]);
  await pushPrice(system.feeds, system.pyth, priceX18);
}

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

function liquidate(system: System, victim: Wallet, sizeX18: bigint) {
  return gasOf(system.engine.connect(system.keeper).liquidate(accountId(victim.address, 0n), AAPL, sizeX18));
}

describe("liquidation gas benchmark", function () {
  it("measures liquidate, settleBadDebt and one ADL step on the real system and matches the snapshot", async function () {
    const system = await networkHelpers.loadFixture(deploySystem);
    const measured: Record<string, number> = {};
    const victim = (i: number) => VICTIMS[i]!;

    await moveTo(system, 93n * X18);
    // Steady state: the backstop already holds a position in the market and the keeper a balance
    // (the first liquidation ever pays ~65k more for their new storage slots).
    measured["liquidate: partial, first ever (new backstop position, new keeper balance)"] = Number(
      await liquidate(system, victim(5), 45n * X18),
    );
    await pushPrice(system.feeds, system.pyth, 93n * X18);
    // A cascade: victims 0-4 partially liquidated in one liquidateBatch (the market read and the
    // backstop's and keeper's slots are warm after the first), per liquidation.
    const beforeBatch = await networkHelpers.takeSnapshot();
    const requests = [0, 1, 2, 3, 4].map((i) => ({
      account: accountId(victim(i).address, 0n),
      marketId: AAPL,
      sizeX18: 45n * X18,
    }));
    const batchGas = await gasOf(system.engine.connect(system.keeper).liquidateBatch(requests));
    for (const request of requests) {
      expect((await system.ch.position(request.account, AAPL)).sizeX18, "half liquidated").to.equal(
        45n * X18,
      );
    }
    measured["liquidateBatch: 5 partial liquidations (45 of 90) in one market, per liquidation"] = Number(
      batchGas / 5n,
    );
    await beforeBatch.restore();
    const snapshotBefore = await networkHelpers.takeSnapshot();
    // The exact size is what the engine's view tells a keeper (the bundled keeper passes it).
    expect(await system.engine.liquidationSizeX18(accountId(victim(0).address, 0n), AAPL)).to.equal(
      45n * X18,
    );
    measured["liquidate: partial (45 of 90), exact size"] = Number(
      await liquidate(system, victim(0), 45n * X18),
    );
    await snapshotBefore.restore();
    measured["liquidate: partial, keeper passes max (re-run)"] = Number(
      await liquidate(system, victim(0), ethers.MaxUint256),
    );

    await moveTo(system, 91n * X18);
    measured["liquidate: full (below MM / 2, penalty capped)"] = Number(
      await liquidate(system, victim(1), SIZE),
    );

    await moveTo(system, 88n * X18);
    measured["liquidate: full, bankrupt, bad debt covered in the same tx"] = Number(
      await liquidate(system, victim(2), SIZE),
    );
    expect(await system.vault.collateralX18(accountId(victim(2).address, 0n))).to.equal(0n);

    // settleBadDebt: an account without positions left with negative collateral (emulated by the
    // margin authority booking a loss, as an ADL capped at a target's break-even leaves one).
    const chAddress = await system.ch.getAddress();
    await networkHelpers.impersonateAccount(chAddress);
    await networkHelpers.setBalance(chAddress, 10n ** 18n);
    const asCh = await ethers.getSigner(chAddress);
    const flat = accountId(victim(5).address, 0n);
    // victim 5 holds 90: close it by the backstop first, then book the loss.
    await liquidate(system, victim(5), SIZE);
    const collateral = await system.vault.collateralX18(flat);
    await system.vault.connect(asCh).applySettlement([flat], [-collateral - 50n * X18], 0n);
    measured["settleBadDebt (50 USD from the insurance fund)"] = Number(
      await gasOf(system.engine.connect(system.keeper).settleBadDebt(flat)),
    );
    expect(await system.vault.collateralX18(flat)).to.equal(0n);

    // ADL: empty the fund (as bad debt elsewhere would), then victim 3 (bankrupt, 90 long) against
    // the complete short side: the maker (10 M) and the target (100 k).
    const vaultAddress = await system.vault.getAddress();
    await networkHelpers.impersonateAccount(vaultAddress);
    await networkHelpers.setBalance(vaultAddress, 10n ** 18n);
    await system.insurance
      .connect(await ethers.getSigner(vaultAddress))
      .payToVault(await system.insurance.ledgerBalance());
    const shorts = [accountId(MAKER.address, 0n), accountId(TARGET.address, 0n)].sort((a, b) =>
      BigInt(a) < BigInt(b) ? -1 : 1,
    );
    // The backstop is long (it absorbed the liquidated longs): it is on the victim's side, not listed.
    const ranking = await system.engine.adlRanking(AAPL, shorts);
    const top = [...ranking].sort((a, b) => (a.scoreX18 > b.scoreX18 ? -1 : 1))[0]!;
    measured["adl: one step, 2 opposite-side accounts"] = Number(
      await gasOf(
        system.engine.connect(system.keeper).adl(accountId(victim(3).address, 0n), AAPL, top.account, shorts),
      ),
    );

    await matchesGasSnapshot(SNAPSHOT, measured, TOLERANCE_BPS);
  });

  it("costs the same with 100 other traders holding positions in the market", async function () {
    const system = await networkHelpers.loadFixture(deploySystem);
    await moveTo(system, 93n * X18);
    await liquidate(system, VICTIMS[5]!, 45n * X18);
    const snapshot = await networkHelpers.takeSnapshot();
    const alone = await liquidate(system, VICTIMS[0]!, 45n * X18);
    await snapshot.restore();
    let nonce = 100n;
    for (let k = 0; k < 50; ++k) {
      // 50 pairs of 1 share each at 93 would fail the fill band at 100: trade at the mark's tick.
      await tradeAt(system, CROWD[2 * k]!, CROWD[2 * k + 1]!, X18, nonce++, 93n * X18);
    }
    await pushPrice(system.feeds, system.pyth, 93n * X18);
    const crowded = await liquidate(system, VICTIMS[0]!, 45n * X18);
    expect(crowded).to.equal(alone);
  });

  it("reference: the same lone liquidation with the price state read from storage", async function () {
    // Not a configuration of the protocol: the clearinghouse reads MockOracleAdapter's stored
    // PriceState, so the difference to the real bench row is what the pull oracle's read costs.
    const system = await networkHelpers.loadFixture(deployStoredOracleSystem);
    const stored = system.stored!;
    await stored.setPrice(AAPL, 93n * X18, 93n * X18);
    await system.ch.fund([AAPL]);
    await liquidate(system, VICTIMS[5]!, 45n * X18); // the first ever, as in the bench above
    const lone = await liquidate(system, VICTIMS[0]!, 45n * X18);
    expect((await system.ch.position(accountId(VICTIMS[0]!.address, 0n), AAPL)).sizeX18).to.equal(45n * X18);
    const read = await ethers.provider.estimateGas({
      to: await stored.getAddress(),
      data: stored.interface.encodeFunctionData("priceState", [AAPL]),
    });
    await matchesGasSnapshot(
      REFERENCE_SNAPSHOT,
      {
        "liquidate: partial (45 of 90), exact size, price state read from storage": Number(lone),
        "the stored price state's read alone (MockOracleAdapter.priceState, whole tx)": Number(read),
      },
      TOLERANCE_BPS,
    );
  });
});

async function tradeAt(
  system: System,
  seller: Wallet,
  buyer: Wallet,
  size: bigint,
  nonce: bigint,
  priceX18: bigint,
) {
  const order = (trader: Wallet, isBuy: boolean): Order => ({
    owner: trader.address,
    subaccount: 0n,
    signer: trader.address,
    marketId: AAPL,
    isBuy,
    sizeX18: size,
    limitPriceX18: priceX18,
    expiry: BigInt(utc("2026-11-17T00:00:00Z")),
    nonce,
    epoch: 0n,
    flags: 0,
  });
  const maker = order(seller, false);
  const taker = order(buyer, true);
  await pushPrice(system.feeds, system.pyth, priceX18);
  await system.ch.connect(system.matcher).settleMatches([
    {
      maker,
      makerSignature: await signOrder(seller, system.domain, maker),
      taker,
      takerSignature: await signOrder(buyer, system.domain, taker),
      fillSizeX18: size,
    },
  ]);
}
