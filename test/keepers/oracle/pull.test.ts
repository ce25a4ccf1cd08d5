/**
 * The production pull builders with fake fetchers and fake chain reads (what to push, when to skip,
 * fees), the keeper surviving failed fetches against fake web services, and the production CLI
 * configuration.
 */
import { expect } from "chai";
import { AbiCoder, Interface, JsonRpcProvider } from "ethers";
import type { DeploymentRecord } from "../../../deploy/system.js";
import { ConfigError } from "../../../keepers/lib/config.js";
import { FetchError, createFetchMetrics, type FetchOptions } from "../../../keepers/lib/http.js";
import { JsonLogger, silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import type { DataStreamsReport, DataStreamsReportFetcher } from "../../../keepers/oracle/datastreams.js";
import { DataStreamsRestFetcher } from "../../../keepers/oracle/datastreams.js";
import { HermesFetcher, type PythUpdateFetcher, type PythUpdates } from "../../../keepers/oracle/hermes.js";
import { parseOracleConfig } from "../../../keepers/oracle/config.js";
import { OracleKeeper, type OracleMarket } from "../../../keepers/oracle/keeper.js";
import {
  DataStreamsPullReports,
  MissingStreamError,
  PYTH_INTERFACE,
  PythPullUpdates,
  createPullMetrics,
  pullBuilders,
  type DataStreamsChain,
  type PythChain,
} from "../../../keepers/oracle/pull.js";
import { PartialUpdateError, type MarketPrice } from "../../../keepers/oracle/updates.js";
import { Session } from "../../../sdk/calendar.js";
import { IOracleAdapter__factory, MockPyth__factory } from "../../../typechain-types/index.js";
import { logLines, RecordingSubmitter } from "../fakeSubmitter.js";
import { json, startFakeServer, type FakeServer } from "./fakeHttp.js";

const X18 = 10n ** 18n;
const PYTH = "0x000000000000000000000000000000000000f001";
const SOURCES = {
  regularHours: "0x000000000000000000000000000000000000d501",
  extendedHours: "0x000000000000000000000000000000000000d502",
  overnightHours: "0x000000000000000000000000000000000000d503",
};
const ADAPTER = "0x00000000000000000000000000000000000000Ad";
const streamId = (n: number) => "0x000b" + n.toString(16).padStart(60, "0");
const pythId = (n: number) => "0x" + n.toString(16).padStart(64, "0");

/** Two markets like local.json's: REGULAR on the Chainlink feed and Pyth, extended and overnight hours on Data Streams. */
function market(symbol: string, n: number): MarketPrice {
  return {
    symbol,
    marketId: "0x" + n.toString(16).padStart(64, "0"),
    priceX18: 100n * X18,
    pythPriceId: pythId(n),
    dataStreamsFeedIds: { extendedHours: streamId(10 + n), overnightHours: streamId(20 + n) },
    sessions: {
      REGULAR: ["chainlinkFeed", "pyth"],
      PRE_MARKET: ["dataStreams", "pyth"],
      POST_MARKET: ["dataStreams", "pyth"],
      OVERNIGHT: ["dataStreams"],
      CLOSED: ["signedQuotes"],
    },
  };
}
const MARKETS = [market("AAPL", 1), market("SPY", 2)];

class FakePyth implements PythUpdateFetcher, PythChain {
  readonly asked: string[][] = [];
  hermesTimes = new Map<string, number>();
  chainTimes = new Map<string, number>();
  fail: Error | undefined;
  async latestUpdates(priceIds: readonly string[]): Promise<PythUpdates> {
    this.asked.push([...priceIds]);
    if (this.fail) throw this.fail;
    return { updateData: ["0xaa01", "0xaa02"], publishTimes: new Map(this.hermesTimes) };
  }
  async publishTimeOf(priceId: string): Promise<number> {
    return this.chainTimes.get(priceId) ?? 0;
  }
  async updateFee(updateData: readonly string[]): Promise<bigint> {
    return 7n * BigInt(updateData.length);
  }
}

class FakeStreams implements DataStreamsReportFetcher, DataStreamsChain {
  readonly asked: string[] = [];
  readonly read: [string, string][] = [];
  observed = new Map<string, number>();
  onChain = new Map<string, number>();
  failing = new Map<string, Error>();
  async latestReport(feedId: string): Promise<DataStreamsReport> {
    this.asked.push(feedId);
    const failure = this.failing.get(feedId);
    if (failure) throw failure;
    const observationsTimestamp = this.observed.get(feedId) ?? 1_000;
    return {
      feedId,
      validFromTimestamp: observationsTimestamp - 1,
      observationsTimestamp,
      fullReport: "0xfeed" + feedId.slice(2, 8),
    };
  }
  async latestObservationsTimestamp(source: string, feedId: string): Promise<number> {
    this.read.push([source, feedId]);
    return this.onChain.get(feedId) ?? 0;
  }
}

describe("oracle keeper pull builders: Pyth", function () {
  function setup() {
    const pyth = new FakePyth();
    const metrics = new MetricsRegistry("t_");
    const builder = new PythPullUpdates(PYTH, pyth, pyth, silentLogger, createPullMetrics(metrics));
    return { pyth, metrics, builder };
  }

  it("pushes the ids the session reads in one updatePriceFeeds, paying getUpdateFee", async function () {
    const { pyth, builder } = setup();
    pyth.hermesTimes = new Map([
      [pythId(1), 500],
      [pythId(2), 500],
    ]);
    pyth.chainTimes.set(pythId(1), 499);
    const [req, ...rest] = await builder.build(MARKETS, 600, Session.REGULAR);
    expect(rest).to.deep.equal([]);
    expect(pyth.asked).to.deep.equal([[pythId(1), pythId(2)]]);
    expect(req!.to).to.equal(PYTH);
    expect(req!.value).to.equal(14n); // 7 wei per update, two updates
    expect(PYTH_INTERFACE.decodeFunctionData("updatePriceFeeds", req!.data)[0]).to.deep.equal([
      "0xaa01",
      "0xaa02",
    ]);
  });

  it("skips the push when the chain's prices are as new as Hermes's", async function () {
    const { pyth, metrics, builder } = setup();
    pyth.hermesTimes = new Map([
      [pythId(1), 500],
      [pythId(2), 500],
    ]);
    pyth.chainTimes = new Map(pyth.hermesTimes);
    expect(await builder.build(MARKETS, 600, Session.PRE_MARKET)).to.deep.equal([]);
    expect(metrics.render()).to.include('t_updates_skipped_total{source="pyth"} 1');
  });

  it("asks nothing in a session that reads no Pyth, and fails the build when Hermes fails", async function () {
    const { pyth, builder } = setup();
    expect(await builder.build(MARKETS, 600, Session.OVERNIGHT)).to.deep.equal([]);
    expect(await builder.build(MARKETS, 600, Session.CLOSED)).to.deep.equal([]);
    expect(pyth.asked).to.deep.equal([]);
    pyth.fail = new FetchError("hermes", "http_5xx", "HTTP 503");
    try {
      await builder.build(MARKETS, 600, Session.REGULAR);
      expect.fail("built without Hermes");
    } catch (err) {
      expect(err).to.equal(pyth.fail);
    }
  });

  it("speaks the IPyth ABI the Pyth contracts implement", function () {
    const mock = MockPyth__factory.createInterface();
    for (const name of ["priceFeedExists", "getPriceUnsafe", "getUpdateFee", "updatePriceFeeds"]) {
      expect(PYTH_INTERFACE.getFunction(name)!.format("full")).to.equal(
        mock.getFunction(name as "getUpdateFee").format("full"),
      );
    }
  });
});

describe("oracle keeper pull builders: Data Streams", function () {
  function setup() {
    const streams = new FakeStreams();
    const metrics = new MetricsRegistry("t_");
    const builder = new DataStreamsPullReports(
      SOURCES,
      streams,
      streams,
      silentLogger,
      createPullMetrics(metrics),
    );
    const iface = new Interface(["function submitReport(bytes signedReport)"]);
    const decode = (data: string) => iface.decodeFunctionData("submitReport", data)[0] as string;
    return { streams, metrics, builder, decode };
  }

  it("submits the latest report of the session's stream to the source of that stream kind", async function () {
    const { streams, builder, decode } = setup();
    const pre = await builder.build(MARKETS, 1_000, Session.PRE_MARKET);
    expect(streams.asked).to.deep.equal([streamId(11), streamId(12)]);
    expect(pre.map((r) => [r.to, decode(r.data), r.value])).to.deep.equal([
      [SOURCES.extendedHours, "0xfeed" + streamId(11).slice(2, 8), undefined],
      [SOURCES.extendedHours, "0xfeed" + streamId(12).slice(2, 8), undefined],
    ]);
    const overnight = await builder.build(MARKETS, 1_000, Session.OVERNIGHT);
    expect(streams.asked.slice(2)).to.deep.equal([streamId(21), streamId(22)]);
    expect(overnight.map((r) => r.to)).to.deep.equal([SOURCES.overnightHours, SOURCES.overnightHours]);
    expect(streams.read.slice(2)).to.deep.equal([
      [SOURCES.overnightHours, streamId(21)],
      [SOURCES.overnightHours, streamId(22)],
    ]);
  });

  it("fetches nothing in REGULAR and CLOSED when those sessions read no Data Streams", async function () {
    const { streams, builder } = setup();
    expect(await builder.build(MARKETS, 1_000, Session.REGULAR)).to.deep.equal([]);
    expect(await builder.build(MARKETS, 1_000, Session.CLOSED)).to.deep.equal([]);
    expect(streams.asked).to.deep.equal([]);
  });

  it("skips a stream whose report the source already holds", async function () {
    const { streams, metrics, builder } = setup();
    streams.observed = new Map([
      [streamId(11), 1_000],
      [streamId(12), 1_001],
    ]);
    streams.onChain = new Map([
      [streamId(11), 1_000],
      [streamId(12), 1_000],
    ]);
    const requests = await builder.build(MARKETS, 1_001, Session.POST_MARKET);
    expect(requests).to.have.length(1);
    expect(metrics.render()).to.include('t_updates_skipped_total{source="dataStreams"} 1');
  });

  it("reports a failed stream and a stream the record does not name, and still submits the others", async function () {
    const { streams, builder } = setup();
    const unknown = new FetchError("dataStreams", "unknown_feed", "HTTP 404");
    streams.failing.set(streamId(11), unknown);
    const noOvernight = { ...market("QQQ", 3), dataStreamsFeedIds: { extendedHours: streamId(13) } };
    try {
      await builder.build([...MARKETS, noOvernight], 1_000, Session.PRE_MARKET);
      expect.fail("no partial failure");
    } catch (err) {
      expect(err).to.be.instanceOf(PartialUpdateError);
      const partial = err as PartialUpdateError;
      expect(partial.requests).to.have.length(2);
      expect(partial.failures.map((f) => [f.item, f.error])).to.deep.equal([
        [`AAPL extendedHours ${streamId(11)}`, unknown],
      ]);
    }
    try {
      await builder.build([noOvernight], 1_000, Session.OVERNIGHT);
      expect.fail("no partial failure");
    } catch (err) {
      const failure = (err as PartialUpdateError).failures[0]!;
      expect(failure.item).to.equal("QQQ overnightHours (none)");
      expect(failure.error).to.be.instanceOf(MissingStreamError);
      expect((failure.error as Error).message).to.equal(
        "QQQ reads dataStreams now but the deployment record names no overnightHours stream",
      );
    }
  });
});

describe("oracle keeper with failing web services", function () {
  let hermes: FakeServer;
  let api: FakeServer;
  afterEach(async () => {
    await hermes?.close();
    await api?.close();
  });

  it("logs and counts a failed fetch, sends what it could and keeps ticking", async function () {
    hermes = await startFakeServer((_req, res) => json(res, 503, { error: "overloaded" }));
    api = await startFakeServer((req, res) => {
      const feedId = new URL(req.url, "http://x").searchParams.get("feedID");
      if (feedId === streamId(12)) return json(res, 404, { error: "feed not found" });
      const reportData = AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint32", "uint32"],
        [feedId, 999, 1_000],
      );
      const fullReport = AbiCoder.defaultAbiCoder().encode(
        ["bytes32[3]", "bytes", "bytes32[]", "bytes32[]", "bytes32"],
        [
          ["0x" + "00".repeat(32), "0x" + "00".repeat(32), "0x" + "00".repeat(32)],
          reportData,
          [],
          [],
          "0x" + "00".repeat(32),
        ],
      );
      json(res, 200, { report: { feedID: feedId, fullReport } });
    });
    const registry = new MetricsRegistry("k_");
    const log = logLines();
    const logger = new JsonLogger({ sink: log.sink });
    const fetch: FetchOptions = {
      timeoutMs: 1_000,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      logger,
      metrics: createFetchMetrics(registry),
    };
    const chain = new FakeStreams();
    const pythChain = new FakePyth();
    const pullMetrics = createPullMetrics(registry);
    const submitter = new RecordingSubmitter();
    const markets: OracleMarket[] = MARKETS;
    const keeper = new OracleKeeper(
      markets,
      ADAPTER,
      { prices: async (symbols) => new Map(symbols.map((s) => [s, 100n * X18])) },
      [
        new PythPullUpdates(
          PYTH,
          new HermesFetcher({ baseUrl: hermes.url }, fetch),
          pythChain,
          logger,
          pullMetrics,
        ),
        new DataStreamsPullReports(
          SOURCES,
          new DataStreamsRestFetcher({ baseUrl: api.url, credentials: { apiKey: "k", secret: "s" } }, fetch),
          chain,
          logger,
          pullMetrics,
        ),
      ],
      submitter,
      {
        sessionAt: () => Session.PRE_MARKET,
        sessionWindow: () => ({ session: Session.PRE_MARKET, start: 0, end: 9e9 }),
      },
      async () => 1_000,
      logger,
      registry,
    );
    const first = await keeper.tick();
    expect(first).to.deep.equal({ session: Session.PRE_MARKET, sent: 1, failed: 2, poked: true });
    expect(submitter.submitted.map((r) => r.to)).to.deep.equal([SOURCES.extendedHours, ADAPTER, ADAPTER]);
    const adapter = IOracleAdapter__factory.createInterface();
    expect(adapter.decodeFunctionData("poke", submitter.submitted[1]!.data)[0]).to.equal(
      MARKETS[0]!.marketId,
    );
    const rendered = registry.render();
    expect(rendered).to.include('k_fetch_errors_total{kind="http_5xx",service="hermes"} 1');
    expect(rendered).to.include('k_fetch_errors_total{kind="unknown_feed",service="dataStreams"} 1');
    expect(rendered).to.include('k_updates_total{outcome="build_failed",source="pyth"} 1');
    expect(rendered).to.include('k_updates_total{outcome="build_failed",source="dataStreams"} 1');
    const errors = log.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l["level"] === "error");
    expect(
      errors.map((l) => [l["msg"], l["source"], l["item"], (l["err"] as { message: string }).message]),
    ).to.deep.equal([
      [
        "update build failed",
        "pyth",
        undefined,
        'hermes: HTTP 503 from /v2/updates/price/latest: {"error":"overloaded"}',
      ],
      [
        "update build failed",
        "dataStreams",
        `SPY extendedHours ${streamId(12)}`,
        'dataStreams: HTTP 404 from /api/v1/reports/latest: {"error":"feed not found"}',
      ],
    ]);
    // Hermes recovers: the next tick pushes Pyth; the report already sent is not sent again.
    hermes.handler = (_req, res) =>
      json(res, 200, {
        binary: { encoding: "hex", data: ["00"] },
        parsed: MARKETS.map((m) => ({ id: m.pythPriceId!.slice(2), price: { publish_time: 1_000 } })),
      });
    chain.onChain.set(streamId(11), 1_000);
    const second = await keeper.tick();
    expect(second).to.deep.equal({ session: Session.PRE_MARKET, sent: 1, failed: 1, poked: false });
    expect(submitter.submitted.at(-1)!.to).to.equal(PYTH);
  });
});

describe("oracle keeper production configuration", function () {
  /** The parts of a deployment record the pull builders read. */
  const record = {
    oracles: { pyth: PYTH },
    contracts: {
      dataStreamsRegularHours: SOURCES.regularHours,
      dataStreamsExtendedHours: SOURCES.extendedHours,
      dataStreamsOvernightHours: SOURCES.overnightHours,
    },
  } as unknown as DeploymentRecord;
  let hermes: FakeServer | undefined;
  afterEach(async () => hermes?.close());

  const base = [
    "--rpc-url",
    "http://127.0.0.1:8545",
    "--mode",
    "production",
    "--price-input",
    "file",
    "--price-file",
    "p.json",
  ];
  const creds = { SUNDIAL_DATA_STREAMS_API_KEY: "key", SUNDIAL_DATA_STREAMS_API_SECRET: "secret" };

  it("defaults to the public Hermes and Chainlink's mainnet API, with credentials from the environment", function () {
    expect(parseOracleConfig(base, creds)).to.deep.include({
      pushPyth: true,
      hermesUrl: "https://hermes.pyth.network",
      hermesToken: undefined,
      pushDataStreams: true,
      dataStreamsUrl: "https://api.dataengine.chain.link",
      dataStreamsCredentials: { apiKey: "key", secret: "secret" },
      fetchTimeoutMs: 3_000,
      fetchAttempts: 3,
      fetchBackoffMs: 250,
    });
  });

  it("reads the URLs, the variable names and the fetch limits from flags and the environment", function () {
    const config = parseOracleConfig(
      [
        ...base,
        "--hermes-url",
        "https://hermes.example.org/v1/tok",
        "--data-streams-key-env",
        "DS_KEY",
        "--data-streams-secret-env",
        "DS_SECRET",
        "--fetch-attempts",
        "5",
      ],
      {
        DS_KEY: "k2",
        DS_SECRET: "s2",
        SUNDIAL_HERMES_API_KEY: "tok",
        SUNDIAL_ORACLE_DATA_STREAMS_URL: "https://api.testnet-dataengine.chain.link",
        SUNDIAL_ORACLE_FETCH_TIMEOUT_MS: "1500",
      },
    );
    expect(config).to.deep.include({
      hermesUrl: "https://hermes.example.org/v1/tok",
      hermesToken: "tok",
      dataStreamsUrl: "https://api.testnet-dataengine.chain.link",
      dataStreamsCredentials: { apiKey: "k2", secret: "s2" },
      fetchTimeoutMs: 1_500,
      fetchAttempts: 5,
    });
  });

  it("refuses production Data Streams without credentials, unless Data Streams pushes are off", function () {
    try {
      parseOracleConfig(base, { SUNDIAL_DATA_STREAMS_API_KEY: "key" });
      expect.fail("accepted missing credentials");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal([
        "environment variable $SUNDIAL_DATA_STREAMS_API_SECRET (named by --data-streams-secret-env) is not set",
        "(or run with --push-data-streams=false)",
      ]);
    }
    const withoutStreams = parseOracleConfig([...base, "--push-data-streams=false"], {});
    expect(withoutStreams).to.deep.include({ pushDataStreams: false, dataStreamsCredentials: undefined });
    // Local mode never needs them.
    expect(parseOracleConfig(["--rpc-url", "http://127.0.0.1:8545"], {}).dataStreamsCredentials).to.equal(
      undefined,
    );
    expect(() => parseOracleConfig([...base, "--fetch-attempts", "0"], creds)).to.throw(
      ConfigError,
      /must be ≥ 1/,
    );
  });

  it("wires the builders the flags enable, with the configured Hermes URL, token and attempts", async function () {
    hermes = await startFakeServer((_req, res) => json(res, 503, "overloaded"));
    // No chain is reached: every builder below fails at its fetch or is not built.
    const provider = new JsonRpcProvider("http://127.0.0.1:1", 31337, { staticNetwork: true });
    const sources = (argv: string[], env: NodeJS.ProcessEnv) =>
      pullBuilders(
        parseOracleConfig([...base, ...argv], env),
        record,
        provider,
        silentLogger,
        new MetricsRegistry(),
      ).map((b) => b.source);
    expect(sources([], creds)).to.deep.equal(["pyth", "dataStreams"]);
    expect(sources(["--push-pyth=false"], creds)).to.deep.equal(["dataStreams"]);
    expect(sources(["--push-data-streams=false"], {})).to.deep.equal(["pyth"]);

    const registry = new MetricsRegistry("w_");
    const config = parseOracleConfig(
      [...base, "--hermes-url", `${hermes.url}/prefix`, "--fetch-attempts", "1"],
      {
        ...creds,
        SUNDIAL_HERMES_API_KEY: "hermes-token",
      },
    );
    const [pyth, streams] = pullBuilders(config, record, provider, silentLogger, registry);
    try {
      await pyth!.build(MARKETS, 1_000, Session.REGULAR);
      expect.fail("built without Hermes");
    } catch (err) {
      expect((err as FetchError).kind).to.equal("http_5xx");
    }
    expect(
      hermes.requests.map((r) => [new URL(r.url, hermes!.url).pathname, r.headers["authorization"]]),
    ).to.deep.equal([["/prefix/v2/updates/price/latest", "Bearer hermes-token"]]);
    // One attempt (--fetch-attempts 1): a 503 would otherwise be retried.
    expect(registry.render()).to.include('w_fetch_errors_total{kind="http_5xx",service="hermes"} 1');
    expect(streams).to.be.instanceOf(DataStreamsPullReports);
    provider.destroy();
  });
});
