/**
 * The production oracle keeper on the in-process chain: Pyth updates from a fake Hermes (serving
 * `MockPyth`-compatible update data) and Data Streams reports from a fake REST API (verifying the
 * HMAC of every request, serving v11 reports signed by the `MockVerifierProxy`'s DON key) land on
 * chain through the real fetchers, builders, submitter and keeper — the session's stream on the
 * source of its kind — and the pokes reopen the markets on them.
 */
import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../../deploy/config.js";
import { dataStreamsSources, deployLocalMocks, deploySystem } from "../../../deploy/system.js";
import { createFetchMetrics, type FetchOptions } from "../../../keepers/lib/http.js";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { WalletSubmitter } from "../../../keepers/lib/submitter.js";
import { DataStreamsRestFetcher } from "../../../keepers/oracle/datastreams.js";
import { HermesFetcher } from "../../../keepers/oracle/hermes.js";
import { OracleKeeper } from "../../../keepers/oracle/keeper.js";
import {
  DataStreamsPullReports,
  EthersDataStreamsChain,
  EthersPythChain,
  PythPullUpdates,
  createPullMetrics,
} from "../../../keepers/oracle/pull.js";
import { LocalDonReports } from "../../../keepers/oracle/updates.js";
import { Session, loadCalendarFile } from "../../../sdk/calendar.js";
import {
  IChainlinkDataStreamsSource__factory,
  IOracleAdapter__factory,
  MockPyth__factory,
} from "../../../typechain-types/index.js";
import { dataStreamsAuthProblem, json, startFakeServer, type FakeServer } from "./fakeHttp.js";

const connection = await network.create({ override: { initialDate: "2026-12-05T00:00:00Z" } }); // before SATURDAY, whatever today is
const { ethers, networkHelpers } = connection;

/** Saturday 10:00, Monday 04:30 (pre-market) and Monday 21:00 (overnight), New York, December 2026. */
const SATURDAY = Date.parse("2026-12-05T15:00:00Z") / 1000;
const MONDAY_PRE_MARKET = Date.parse("2026-12-07T09:30:00Z") / 1000;
const MONDAY_OVERNIGHT = Date.parse("2026-12-08T02:00:00Z") / 1000;
const X18 = 10n ** 18n;
const API_KEY = "5d1a1000-0000-4000-8000-000000000001";
const API_SECRET = "local-test-secret";

async function deployed() {
  await networkHelpers.time.increaseTo(SATURDAY);
  const keeper = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
  const config = loadDeploymentConfig(parametersFile("local"));
  const mocks = await deployLocalMocks(connection, config, keeper.address); // the keeper's key is the DON's
  const record = await deploySystem(connection, config, mocks);
  await networkHelpers.setBalance(keeper.address, 10n ** 20n);
  return { record, keeper };
}

describe("production oracle keeper on the in-process chain", function () {
  let hermes: FakeServer;
  let api: FakeServer;
  after(async () => {
    await hermes?.close();
    await api?.close();
  });

  it("pushes the fetched Pyth updates and the session's Data Streams reports, then skips what the chain has", async function () {
    const { record, keeper: wallet } = await networkHelpers.loadFixture(deployed);
    const mockPyth = MockPyth__factory.connect(record.oracles.pyth, ethers.provider);
    const don = new LocalDonReports(dataStreamsSources(record.contracts), new SigningKey(wallet.privateKey));

    // What the fake services serve: a price and time per Pyth id, a report per stream id.
    const pythPrices = new Map<string, { priceX18: bigint; publishTime: number }>();
    const reports = new Map<string, { priceX18: bigint; observed: number; session: Session }>();
    hermes = await startFakeServer(async (req, res) => {
      const ids = new URL(req.url, hermes.url).searchParams.getAll("ids[]");
      const data: string[] = [];
      for (const id of ids) {
        const p = pythPrices.get(id);
        if (p === undefined) return json(res, 404, `Price ids not found: ["${id.slice(2)}"]`);
        const price = p.priceX18 / 10n ** 10n; // 8 decimals, expo -8
        const conf = price / 10_000n;
        const update = await mockPyth.createPriceFeedUpdateData(
          id,
          price,
          conf,
          -8,
          price,
          conf,
          p.publishTime,
          0,
        );
        data.push(update.slice(2)); // Hermes writes hex without 0x
      }
      json(res, 200, {
        binary: { encoding: "hex", data },
        parsed: ids.map((id) => ({
          id: id.slice(2),
          price: { publish_time: pythPrices.get(id)!.publishTime },
        })),
      });
    });
    api = await startFakeServer((req, res) => {
      const problem = dataStreamsAuthProblem(req, API_KEY, API_SECRET, Date.now());
      if (problem !== undefined) return json(res, 401, { error: problem });
      const feedId = new URL(req.url, api.url).searchParams.get("feedID")!;
      const r = reports.get(feedId);
      if (r === undefined) return json(res, 404, { error: "feed not found" });
      const fullReport = don.signedReport(feedId, r.priceX18, r.observed, r.session);
      json(res, 200, {
        report: {
          feedID: feedId,
          validFromTimestamp: r.observed - 1,
          observationsTimestamp: r.observed,
          fullReport,
        },
      });
    });

    const metrics = new MetricsRegistry("t_");
    const fetch: FetchOptions = {
      timeoutMs: 5_000,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      logger: silentLogger,
      metrics: createFetchMetrics(metrics),
    };
    const pullMetrics = createPullMetrics(metrics);
    const sources = dataStreamsSources(record.contracts);
    const keeper = new OracleKeeper(
      record.markets,
      record.contracts.oracleAdapter,
      { prices: async (symbols) => new Map(symbols.map((s) => [s, 1n])) }, // production: only quotes read it
      [
        new PythPullUpdates(
          record.oracles.pyth,
          new HermesFetcher({ baseUrl: hermes.url }, fetch),
          new EthersPythChain(record.oracles.pyth, ethers.provider),
          silentLogger,
          pullMetrics,
        ),
        new DataStreamsPullReports(
          sources,
          new DataStreamsRestFetcher(
            { baseUrl: api.url, credentials: { apiKey: API_KEY, secret: API_SECRET } },
            fetch,
          ),
          new EthersDataStreamsChain(ethers.provider),
          silentLogger,
          pullMetrics,
        ),
      ],
      new WalletSubmitter(wallet, ethers.provider, silentLogger, { receiptPollMs: 10 }),
      await loadCalendarFile(),
      async () => networkHelpers.time.latest(),
      silentLogger,
      metrics,
    );
    const adapter = IOracleAdapter__factory.connect(record.contracts.oracleAdapter, ethers.provider);
    const source = (address: string) =>
      IChainlinkDataStreamsSource__factory.connect(address, ethers.provider);
    const asked = () => api.requests.map((r) => new URL(r.url, api.url).searchParams.get("feedID"));
    /** Serves every market at `prices` (per symbol), Pyth and the streams of `kind`, observed now. */
    const serve = async (
      prices: Record<string, bigint>,
      kind: "extendedHours" | "overnightHours",
      session: Session,
    ) => {
      const now = await networkHelpers.time.latest();
      for (const m of record.markets) {
        pythPrices.set(m.pythPriceId!, { priceX18: prices[m.symbol]!, publishTime: now });
        reports.set(m.dataStreamsFeedIds![kind]!, { priceX18: prices[m.symbol]!, observed: now, session });
      }
    };

    // Saturday: CLOSED reads only signed quotes, so nothing is fetched; the start pokes every market.
    expect(await keeper.tick()).to.deep.equal({ session: Session.CLOSED, sent: 0, failed: 0, poked: true });
    expect(hermes.requests).to.have.length(0);
    expect(api.requests).to.have.length(0);

    // Monday 04:30: the extended-hours streams and Pyth reopen the markets.
    await networkHelpers.time.increaseTo(MONDAY_PRE_MARKET);
    const monday = { AAPL: 235n * X18, TSLA: 340n * X18, NVDA: 182n * X18, SPY: 665n * X18, QQQ: 605n * X18 };
    await serve(monday, "extendedHours", Session.PRE_MARKET);
    expect(await keeper.tick()).to.deep.equal({
      session: Session.PRE_MARKET,
      sent: 6,
      failed: 0,
      poked: true,
    });
    expect(asked()).to.have.members(record.markets.map((m) => m.dataStreamsFeedIds!.extendedHours!));
    for (const m of record.markets) {
      const state = await adapter.priceState(m.marketId);
      expect(state.session).to.equal(BigInt(Session.PRE_MARKET));
      expect(state.state).to.equal(3n); // REOPENING on a price observed after the open
      expect(state.origin).to.equal(0n); // PRIMARY: the extended-hours report
      expect(state.indexPriceX18).to.equal(monday[m.symbol as keyof typeof monday]);
      expect(
        (await source(sources.extendedHours).latestReport(m.dataStreamsFeedIds!.extendedHours!)).midX18,
      ).to.equal(monday[m.symbol as keyof typeof monday]);
      expect((await mockPyth.getPriceUnsafe(m.pythPriceId!)).price).to.equal(
        monday[m.symbol as keyof typeof monday] / 10n ** 10n,
      );
    }

    // Five seconds later with nothing new: both builders read the chain and skip.
    await networkHelpers.time.increase(5);
    const blockBefore = await ethers.provider.getBlockNumber();
    expect(await keeper.tick()).to.deep.equal({
      session: Session.PRE_MARKET,
      sent: 0,
      failed: 0,
      poked: false,
    });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(metrics.render()).to.include('t_updates_skipped_total{source="pyth"} 1');
    expect(metrics.render()).to.include('t_updates_skipped_total{source="dataStreams"} 5');

    // Monday 21:00: the overnight streams go to the overnight source.
    await networkHelpers.time.increaseTo(MONDAY_OVERNIGHT);
    const night = { AAPL: 236n * X18, TSLA: 338n * X18, NVDA: 183n * X18, SPY: 667n * X18, QQQ: 606n * X18 };
    await serve(night, "overnightHours", Session.OVERNIGHT);
    const requestsBefore = api.requests.length;
    expect(await keeper.tick()).to.deep.equal({
      session: Session.OVERNIGHT,
      sent: 6,
      failed: 0,
      poked: true,
    });
    expect(asked().slice(requestsBefore)).to.have.members(
      record.markets.map((m) => m.dataStreamsFeedIds!.overnightHours!),
    );
    for (const m of record.markets) {
      const state = await adapter.priceState(m.marketId);
      expect(state.session).to.equal(BigInt(Session.OVERNIGHT));
      expect(state.indexPriceX18).to.equal(night[m.symbol as keyof typeof night]);
      const report = await source(sources.overnightHours).latestReport(m.dataStreamsFeedIds!.overnightHours!);
      expect([report.midX18, report.marketStatus]).to.deep.equal([night[m.symbol as keyof typeof night], 4n]);
    }
    expect(metrics.render()).to.not.include("t_fetch_errors_total{");
  });
});
