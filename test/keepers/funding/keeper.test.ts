import { expect } from "chai";
import { Session } from "../../../sdk/calendar.js";
import { FundingKeeper, type FundingChain } from "../../../keepers/funding/keeper.js";
import { parseFundingConfig } from "../../../keepers/funding/config.js";
import { ConfigError } from "../../../keepers/lib/config.js";
import { JsonLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { SimulationError } from "../../../keepers/lib/submitter.js";
import { logLines } from "../fakeSubmitter.js";

const AAPL = "0x01";
const TSLA = "0x02";
const NVDA = "0x03";

/** A chain whose `fund` simulation fails for the markets in `failing` (alone or in a batch). */
class FakeFundingChain implements FundingChain {
  markets = [AAPL, TSLA, NVDA];
  failing = new Set<string>();
  status = 1;
  readonly funded: string[][] = [];
  readonly simulations: string[][] = [];

  async marketIds(): Promise<string[]> {
    return [...this.markets];
  }

  async simulateFund(ids: readonly string[]): Promise<void> {
    this.simulations.push([...ids]);
    if (ids.some((id) => this.failing.has(id))) throw new SimulationError("execution reverted", "0x");
  }

  async fund(ids: readonly string[]) {
    this.funded.push([...ids]);
    return { hash: `0x${this.funded.length}`, status: this.status, gasUsed: 123_456n };
  }
}

function setup(intervalSec = 3_600) {
  const chain = new FakeFundingChain();
  let now = 1_000_000;
  let session = Session.REGULAR;
  const metrics = new MetricsRegistry("t_");
  const log = logLines();
  const keeper = new FundingKeeper(
    chain,
    { sessionAt: () => session },
    () => now,
    { intervalSec },
    new JsonLogger({ sink: log.sink }),
    metrics,
  );
  return {
    chain,
    keeper,
    metrics,
    log,
    advance: (seconds: number) => (now += seconds),
    setSession: (s: Session) => (session = s),
  };
}

describe("funding keeper", function () {
  it("funds every market at start, then waits for the interval", async function () {
    const t = setup();
    expect(await t.keeper.tick()).to.deep.include({
      kind: "funded",
      reason: "start",
      markets: [AAPL, TSLA, NVDA],
    });
    t.advance(3_599);
    expect(await t.keeper.tick()).to.deep.equal({ kind: "idle" });
    t.advance(1);
    expect(await t.keeper.tick()).to.deep.include({ kind: "funded", reason: "interval" });
    expect(t.chain.funded).to.have.length(2);
    expect(t.metrics.render()).to.include('t_fund_calls_total{outcome="funded"} 2');
    expect(t.metrics.render()).to.include("t_fund_gas_used 123456");
  });

  it("funds at a session change before the interval has passed", async function () {
    const t = setup();
    await t.keeper.tick();
    t.advance(60);
    t.setSession(Session.POST_MARKET);
    expect(await t.keeper.tick()).to.deep.include({ kind: "funded", reason: "session" });
    t.advance(60);
    expect(await t.keeper.tick()).to.deep.equal({ kind: "idle" });
  });

  it("simulates first and leaves out a market whose fund would revert", async function () {
    const t = setup();
    t.chain.failing.add(TSLA);
    expect(await t.keeper.tick()).to.deep.include({ kind: "funded", markets: [AAPL, NVDA] });
    expect(t.chain.simulations).to.deep.equal([[AAPL, TSLA, NVDA], [AAPL], [TSLA], [NVDA]]);
    expect(t.metrics.render()).to.include(`t_markets_excluded_total{market="${TSLA}"} 1`);
    expect(t.log.lines.some((l) => JSON.parse(l).msg === "market excluded from fund")).to.equal(true);
  });

  it("sends nothing when every simulation fails, and retries after the interval", async function () {
    const t = setup();
    t.chain.failing = new Set([AAPL, TSLA, NVDA]);
    expect(await t.keeper.tick()).to.deep.equal({ kind: "skipped", reason: "all_simulations_failed" });
    expect(t.chain.funded).to.deep.equal([]);
    t.advance(10);
    expect(await t.keeper.tick()).to.deep.equal({ kind: "idle" });
    t.chain.failing.clear();
    t.advance(3_600);
    expect(await t.keeper.tick()).to.deep.include({ kind: "funded", reason: "interval" });
  });

  it("skips when the registry lists no market", async function () {
    const t = setup();
    t.chain.markets = [];
    expect(await t.keeper.tick()).to.deep.equal({ kind: "skipped", reason: "no_markets" });
  });

  it("counts a reverted transaction and tries again on the next tick", async function () {
    const t = setup();
    t.chain.status = 0;
    expect(await t.keeper.tick()).to.deep.equal({ kind: "reverted", hash: "0x1" });
    t.chain.status = 1;
    expect(await t.keeper.tick()).to.deep.include({ kind: "funded", reason: "start" });
    expect(t.metrics.render()).to.include('t_fund_calls_total{outcome="reverted"} 1');
  });

  it("counts and rethrows a failure of the submission itself", async function () {
    const t = setup();
    t.chain.fund = async () => {
      throw new Error("ECONNREFUSED");
    };
    let thrown: unknown;
    try {
      await t.keeper.tick();
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).to.equal("ECONNREFUSED");
    expect(t.metrics.render()).to.include('t_fund_calls_total{outcome="failed"} 1');
  });

  it("reads its configuration from flags and the environment", function () {
    const config = parseFundingConfig(["--rpc-url", "http://127.0.0.1:8545", "--interval-sec", "600"], {
      SUNDIAL_FUNDING_POLL_MS: "1000",
    });
    expect(config).to.deep.include({ intervalSec: 600, pollMs: 1000, deployment: "deployments/local.json" });
    expect(config.keyEnv).to.equal("SUNDIAL_FUNDING_KEEPER_KEY");
    expect(() => parseFundingConfig(["--interval-sec", "5"], {})).to.throw(
      ConfigError,
      /--interval-sec .* must be ≥ 10/,
    );
    expect(() => parseFundingConfig([], {})).to.throw(ConfigError, /missing --rpc-url/);
  });
});
