/**
 * The demo's core (`runDemo`): deploys the system on the given in-process chain, then walks the
 * week step by step. Each step: the chain's clock moves to the step's time; governance executes the
 * timelocked corporate actions once ready; the oracle keeper pushes the exchanges' prices and pokes
 * session transitions; the funding keeper funds when due; the liquidation keeper scans and
 * liquidates; the traders sign orders that the matcher books and settles in batches; the step's
 * events are read back. `scripts/demo.ts` prints the result; `test/demo/demo.test.ts` asserts it.
 */
import { Session, loadCalendarFile, type MarketCalendar } from "../../sdk/calendar.js";
import { orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import { RequestError } from "../../keepers/matcher/validation.js";
import type { HardhatConnection } from "../../deploy/system.js";
import { MockUSDC__factory } from "../../typechain-types/index.js";
import type { ChartPoint } from "./chart.js";
import { CorporateActionsProposal } from "./governance.js";
import { checkInvariants, snapshotSplit, type InvariantCheck, type SplitSnapshot } from "./invariants.js";
import { Ledger } from "./ledger.js";
import { LiquidationDesk } from "./liquidations.js";
import { ScriptedMarket, fromX18 } from "./prices.js";
import {
  DEPLOY_TIME,
  END_TIME,
  FULL_START,
  GAP,
  NEWS,
  NEWS_STEP_SECONDS,
  QUICK_START,
  SPLIT,
  stepSeconds,
} from "./timeline.js";
import { SYMBOLS, TradingDesk, createTraders, type MarketView, type Trader } from "./traders.js";
import { buildWorld, demoWallet, marketIds as marketIdsOf, type World } from "./world.js";

export interface DemoOptions {
  quick: boolean;
  seed: number;
  /** Progress lines (day/session, trades so far); silent when absent. */
  progress?: (line: string) => void;
}

/** Oracle `MarketState` names by value. */
export const STATES = ["OPEN", "CLOSED", "DEGRADED", "REOPENING", "HALTED", "SETTLED"] as const;
const USDC = 10n ** 6n;
/** The insurance fund's starting balance, donated by the operator at launch. */
export const INSURANCE_SEED_USD = 250_000n;
/** The backstop account's starting collateral (it takes over liquidated positions at the mark). */
export const BACKSTOP_SEED_USD = 250_000n;
/** The stocks' prices on the exchanges when the system is deployed. */
const INITIAL_PRICES_USD = new Map<string, number>([
  ["AAPL", 230],
  ["TSLA", 350],
  ["NVDA", 180],
  ["SPY", 660],
  ["QQQ", 600],
]);

export interface DemoResult {
  options: DemoOptions;
  world: World;
  traders: Trader[];
  ledger: Ledger;
  liquidations: LiquidationDesk;
  chart: Map<string, ChartPoint[]>;
  steps: number;
  simulatedSeconds: number;
  insuranceBeforeX18: bigint;
  insuranceAfterX18: bigint;
  corporateActions: CorporateActionsProposal;
  splitSnapshot: SplitSnapshot | undefined;
  checks: InvariantCheck[];
  ordersAccepted: number;
}

const newYork = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
/** "Sun, Dec 13, 20:00" (New York time). */
export const nyLabel = (ts: number): string => newYork.format(new Date(ts * 1000));

export async function runDemo(connection: HardhatConnection, options: DemoOptions): Promise<DemoResult> {
  const calendar = await loadCalendarFile();
  const latest = await connection.networkHelpers.time.latest();
  if (latest > DEPLOY_TIME) {
    throw new Error(
      `the chain's clock (${new Date(latest * 1000).toISOString()}) is past the demo week's start: ` +
        `create the network with { override: { initialDate: CHAIN_START_DATE } }`,
    );
  }
  const simulation = new Simulation(connection, calendar, options);
  await simulation.moveTo(DEPLOY_TIME);
  const setup = await simulation.setUp();
  return simulation.run(setup);
}

/** The next step: one session step later, but never past a session boundary (events happen there). */
export function nextStep(t: number, calendar: MarketCalendar, quick: boolean): number {
  const window = calendar.sessionWindow(t);
  const newsWeekend = window.session === Session.CLOSED && t >= NEWS.time && t < GAP.time;
  const step = newsWeekend ? NEWS_STEP_SECONDS * (quick ? 2 : 1) : stepSeconds(window.session, quick);
  return Math.min(t + step, window.end);
}

type Setup = Awaited<ReturnType<Simulation["setUp"]>>;

class Simulation {
  /** The clock the keepers and the matcher read: the chain's latest block time. */
  private clock = 0;
  private readonly say: (line: string) => void;
  private steps = 0;
  private ordersAccepted = 0;
  private lastHeader = "";
  private newsTold = false;
  private beforeSplit: SplitSnapshot | undefined;
  private splitSnapshot: SplitSnapshot | undefined;
  private readonly chart = new Map<string, ChartPoint[]>(SYMBOLS.map((s) => [s, []]));

  constructor(
    private readonly connection: HardhatConnection,
    private readonly calendar: MarketCalendar,
    private readonly options: DemoOptions,
  ) {
    this.say = options.progress ?? (() => undefined);
  }

  /** Moves the chain's clock to `t` (never backwards) and reads it back. */
  async moveTo(t: number): Promise<void> {
    const { time } = this.connection.networkHelpers;
    if (t > (await time.latest())) await time.increaseTo(t);
    this.clock = await time.latest();
  }

  private async syncClock(): Promise<number> {
    this.clock = await this.connection.networkHelpers.time.latest();
    return this.clock;
  }

  /** Deploys, funds the traders, the insurance fund and the backstop; governance proposes. */
  async setUp() {
    const market = new ScriptedMarket(INITIAL_PRICES_USD, DEPLOY_TIME, this.calendar, this.options.seed);
    this.say(
      `deploying the system with Ignition (deploy/parameters/local.json) at ${nyLabel(DEPLOY_TIME)} New York`,
    );
    const world = await buildWorld(this.connection, market, this.calendar, () => this.clock);
    const deployedAt = await this.connection.ethers.provider.getBlockNumber();
    const ids = marketIdsOf(world.record);
    const traders = createTraders(
      (name) => demoWallet(`trader/${name}`, this.connection),
      this.options.quick,
    );
    const liquidations = new LiquidationDesk(world, ids);
    await liquidations.init(world.record.deployedAtBlock);
    await this.fund(world, traders, liquidations.backstop);
    const insuranceBeforeX18 = (await world.contracts.insuranceFund.ledgerBalance()) * 10n ** 12n;
    const proposal = new CorporateActionsProposal(
      world.contracts.timelock,
      world.contracts.corporateActions,
      world.record.contracts.corporateActions,
      ids,
    );
    await proposal.propose();
    this.say(
      `governance proposed through the timelock: ${SPLIT.symbol} ${SPLIT.numerator}:${SPLIT.denominator} split and a SPY dividend (48 h delay)`,
    );
    const { contracts } = world;
    const ledger = new Ledger(
      this.connection.ethers.provider,
      contracts.clearinghouse,
      contracts.oracle,
      contracts.corporateActions,
      ids,
      traders,
      deployedAt,
    );
    const desk = new TradingDesk(this.options.seed + 1);
    return { world, ids, traders, liquidations, proposal, ledger, desk, insuranceBeforeX18 };
  }

  /** The operator mints mock USDC and deposits for every trader and the backstop, and seeds the fund. */
  private async fund(world: World, traders: readonly Trader[], backstop: string): Promise<void> {
    const usdc = MockUSDC__factory.connect(world.record.contracts.collateralToken, world.deployer);
    const operator = await world.deployer.getAddress();
    const deposits = traders.reduce((sum, t) => sum + BigInt(t.collateralUsd), 0n) + BACKSTOP_SEED_USD;
    await (await usdc.mint(operator, (deposits + INSURANCE_SEED_USD) * USDC)).wait();
    await (await usdc.approve(world.record.contracts.vault, deposits * USDC)).wait();
    const vault = world.contracts.vault.connect(world.deployer);
    for (const trader of traders) {
      await (await vault.depositFor(trader.account, BigInt(trader.collateralUsd) * USDC)).wait();
    }
    // The backstop (the insurance fund's clearinghouse account) must meet margin when it absorbs
    // liquidated positions: the operator capitalises it at launch, beside the insurance fund itself.
    await (await vault.depositFor(backstop, BACKSTOP_SEED_USD * USDC)).wait();
    await (await usdc.approve(world.record.contracts.insuranceFund, INSURANCE_SEED_USD * USDC)).wait();
    await (
      await world.contracts.insuranceFund.connect(world.deployer).donate(INSURANCE_SEED_USD * USDC)
    ).wait();
    this.say(
      `${traders.length} traders funded (${traders.filter((t) => t.style === "maker").length} market makers); ` +
        `insurance fund ${INSURANCE_SEED_USD.toLocaleString("en-US")} USDC, backstop ${BACKSTOP_SEED_USD.toLocaleString("en-US")} USDC`,
    );
  }

  private accounts(s: Setup): string[] {
    return [...s.traders.map((t) => t.account), ...s.liquidations.extraAccounts()];
  }

  async run(s: Setup): Promise<DemoResult> {
    const start = this.options.quick ? QUICK_START : FULL_START;
    for (let t = start; t <= END_TIME; t = nextStep(t, this.calendar, this.options.quick)) {
      await this.step(s, t);
    }
    // Wrap-up: funding accrued to the end, a last keeper pass, then the checks.
    await this.syncClock();
    const { clearinghouse } = s.world.contracts;
    await (await clearinghouse.connect(s.world.actors.fundingKeeper).fund([...s.ids.values()])).wait();
    await s.liquidations.tick();
    await s.ledger.readEvents();
    await s.ledger.accrueFunding();
    const checks = await checkInvariants({
      world: s.world,
      ids: s.ids,
      accounts: this.accounts(s),
      ledger: s.ledger,
      proposal: s.proposal,
      splitSnapshot: this.splitSnapshot,
      liquidations: s.liquidations,
      chart: this.chart,
      insuranceBeforeX18: s.insuranceBeforeX18,
    });
    return {
      options: this.options,
      world: s.world,
      traders: s.traders,
      ledger: s.ledger,
      liquidations: s.liquidations,
      chart: this.chart,
      steps: this.steps,
      simulatedSeconds: END_TIME - start,
      insuranceBeforeX18: s.insuranceBeforeX18,
      insuranceAfterX18: (await s.world.contracts.insuranceFund.ledgerBalance()) * 10n ** 12n,
      corporateActions: s.proposal,
      splitSnapshot: this.splitSnapshot,
      checks,
      ordersAccepted: this.ordersAccepted,
    };
  }

  private async step(s: Setup, t: number): Promise<void> {
    await this.moveTo(t);
    this.steps += 1;
    const next = nextStep(t, this.calendar, this.options.quick);
    if (await s.proposal.executeWhenReady()) {
      this.say(
        `  ${nyLabel(this.clock)}  timelock executed: split #${s.proposal.splitId} and dividend #${s.proposal.dividendId} scheduled`,
      );
    }
    if (t < SPLIT.effectiveTime && next >= SPLIT.effectiveTime) {
      this.beforeSplit = await snapshotSplit(s.world, s.ids, this.accounts(s));
    }
    await this.syncClock();
    await s.world.oracleKeeper.tick();
    if (this.beforeSplit !== undefined && this.splitSnapshot === undefined && t >= SPLIT.effectiveTime) {
      const after = await snapshotSplit(s.world, s.ids, this.accounts(s));
      this.splitSnapshot = { before: this.beforeSplit.before, after: after.before };
    }
    await this.syncClock();
    await s.world.fundingKeeper.tick();
    await s.liquidations.tick();
    const views = await readViews(s.world, s.ids, await this.syncClock());
    await this.trade(s, views, next - 1);
    await s.ledger.readEvents();
    await s.ledger.accrueFunding();
    s.desk.remember(views);
    this.record(views, t);
    if (this.calendar.sessionAt(t) !== this.calendar.sessionAt(t - 1) || this.steps === 1) {
      await resyncPositions(s.world, s.ids, s.traders);
    }
    this.report(s, views, t);
  }

  /** The traders decide and sign; the matcher validates, books and settles. */
  private async trade(s: Setup, views: ReadonlyMap<string, MarketView>, makerExpiry: number): Promise<void> {
    const intents = s.desk.decide(s.traders, views, this.clock, makerExpiry);
    const domain = orderDomain(BigInt(s.world.record.chainId), s.world.record.contracts.clearinghouse);
    for (const intent of intents) {
      const signature = await signOrder(intent.trader.wallet, domain, intent.order);
      try {
        await s.world.matcher.engine.submit({ order: jsonOrder(intent.order), signature });
        this.ordersAccepted += 1;
      } catch (err) {
        if (!(err instanceof RequestError)) throw err;
        s.ledger.count(s.ledger.rejected, err.code);
      }
    }
    await s.world.matcher.settler.drain();
  }

  private record(views: ReadonlyMap<string, MarketView>, t: number): void {
    for (const view of views.values()) {
      this.chart.get(view.symbol)!.push({
        time: t,
        index: view.indexUsd,
        mark: view.markUsd,
        bandLow: view.bandLowUsd,
        bandHigh: view.bandHighUsd,
        closed: view.internal,
      });
    }
  }

  /** A progress line at each new day/session, and one per scripted event. */
  private report(s: Setup, views: ReadonlyMap<string, MarketView>, t: number): void {
    const session = Session[this.calendar.sessionAt(t)];
    const header = `${nyLabel(t).slice(0, 12)} ${session}`;
    if (header !== this.lastHeader) {
      this.lastHeader = header;
      this.say(
        `${nyLabel(t)}  ${session.padEnd(11)} trades ${String(s.ledger.trades).padStart(5)}  ` +
          `liquidations ${s.liquidations.stats.count}  ${marketLine(views)}`,
      );
    }
    if (!this.newsTold && t >= NEWS.time) {
      this.newsTold = true;
      this.say(
        `  ${nyLabel(t)}  news on ${NEWS.symbol} (out at ${nyLabel(NEWS.time)}): traders buy it on the venue all weekend`,
      );
    }
    if (t === GAP.time) {
      this.say(
        `  ${nyLabel(t)}  ${GAP.symbol} reopens ${Math.round(GAP.move * 100)} % below its Friday close`,
      );
    }
  }
}

/** The JSON body the matcher's HTTP API would receive (`parseSignedOrder`). */
function jsonOrder(order: Order) {
  return {
    ...order,
    subaccount: order.subaccount.toString(),
    sizeX18: order.sizeX18.toString(),
    limitPriceX18: order.limitPriceX18.toString(),
    expiry: order.expiry.toString(),
    nonce: order.nonce.toString(),
    epoch: order.epoch.toString(),
  };
}

async function readViews(world: World, ids: ReadonlyMap<string, string>, time: number) {
  const views = new Map<string, MarketView>();
  for (const [symbol, marketId] of ids) {
    const [state, breaker] = await Promise.all([
      world.contracts.oracle.priceState(marketId),
      world.contracts.clearinghouse.circuitBreakerState(marketId),
    ]);
    const stateName = STATES[Number(state.state)];
    const halted = Number(breaker.haltedUntil) > time || Number(breaker.reduceOnlyUntil) > time;
    views.set(symbol, {
      symbol,
      marketId,
      tradable: (stateName === "OPEN" || stateName === "CLOSED") && !halted,
      internal: stateName === "CLOSED" || stateName === "DEGRADED",
      session: Number(state.session) as Session,
      indexUsd: fromX18(state.indexPriceX18),
      markUsd: fromX18(state.markPriceX18),
      bandLowUsd: fromX18(state.bandLowX18),
      bandHighUsd: fromX18(state.bandHighX18),
      epoch: state.epoch,
    });
  }
  return views;
}

/** Re-reads every trader's positions (splits and liquidations change them outside the fills). */
async function resyncPositions(world: World, ids: ReadonlyMap<string, string>, traders: readonly Trader[]) {
  const factors = new Map<string, bigint>();
  for (const [symbol, marketId] of ids) {
    factors.set(symbol, (await world.contracts.oracle.priceState(marketId)).splitFactorX18);
  }
  for (const trader of traders) {
    for (const symbol of [...trader.positions.keys()]) {
      const p = await world.contracts.clearinghouse.position(trader.account, ids.get(symbol)!);
      const size = p.splitFactorX18 === 0n ? 0n : (p.sizeX18 * factors.get(symbol)!) / p.splitFactorX18;
      trader.positions.set(symbol, Number(size) / 1e18);
    }
  }
}

function marketLine(views: ReadonlyMap<string, MarketView>): string {
  return [...views.values()]
    .map((v) => `${v.symbol} ${TradingDesk.reference(v).toFixed(2)}${v.tradable ? "" : "*"}`)
    .join("  ");
}
