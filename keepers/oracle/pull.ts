/**
 * The production builders of the two pull oracles: Pyth and Chainlink Data Streams publish signed
 * prices off chain, and a keeper brings them on chain. Each builder pushes only what the markets'
 * current session reads (`DeployedMarket.sessions`): Pyth for the markets whose session lists
 * `pyth`, and for the markets whose session lists `dataStreams`, the stream of the session's kind
 * (regular, extended or overnight hours) to the `ChainlinkDataStreamsSource` of that kind.
 *
 * Before paying for a push, each builder reads what the chain already holds and skips an update that
 * is not newer (`updates_skipped_total{source}`): Pyth's `publishTime` per price id, the source's
 * stored `observationsTimestamp` per stream. Fetchers and chain reads sit behind small interfaces
 * (`PythUpdateFetcher`, `DataStreamsReportFetcher`, `PythChain`, `DataStreamsChain`).
 * `pullBuilders` wires the real ones from the CLI's options (`config.ts`) for `main.ts`.
 */
import { Contract, Interface, type Provider } from "ethers";
import type { DataStreamKind } from "../../deploy/config.js";
import { dataStreamsSources, type DeploymentRecord } from "../../deploy/system.js";
import type { Session } from "../../sdk/calendar.js";
import { IChainlinkDataStreamsSource__factory } from "../../typechain-types/index.js";
import { createFetchMetrics, type FetchOptions } from "../lib/http.js";
import type { Logger } from "../lib/logger.js";
import type { Counter, MetricsRegistry } from "../lib/metrics.js";
import type { TxRequest } from "../lib/submitter.js";
import type { OracleCliConfig } from "./config.js";
import { DataStreamsRestFetcher, type DataStreamsReportFetcher } from "./datastreams.js";
import { HermesFetcher, normalizeId, type PythUpdateFetcher } from "./hermes.js";
import {
  PartialUpdateError,
  readsSource,
  streamsToPush,
  type MarketPrice,
  type StreamToPush,
  type UpdateBuilder,
  type UpdateFailure,
} from "./updates.js";

/**
 * The parts of Pyth's contract the keeper calls: `IPyth` (`@pythnetwork/pyth-sdk-solidity`) and
 * `priceFeedExists` of `AbstractPyth`, which every Pyth contract implements (`getPriceUnsafe`
 * reverts for a feed the contract has never stored).
 */
export const PYTH_INTERFACE = new Interface([
  "function priceFeedExists(bytes32 id) view returns (bool)",
  "function getPriceUnsafe(bytes32 id) view returns ((int64 price, uint64 conf, int32 expo, uint256 publishTime) price)",
  "function getUpdateFee(bytes[] updateData) view returns (uint256 feeAmount)",
  "function updatePriceFeeds(bytes[] updateData) payable",
]);

/** What the Pyth builder reads on chain. */
export interface PythChain {
  /** The stored price's publish time, 0 when the contract has none for `priceId`. */
  publishTimeOf(priceId: string): Promise<number>;
  /** `IPyth.getUpdateFee(updateData)`, the value `updatePriceFeeds` must be sent with. */
  updateFee(updateData: readonly string[]): Promise<bigint>;
}

export class EthersPythChain implements PythChain {
  private readonly pyth: Contract;
  /** Feeds seen stored once (a Pyth feed is never removed), so `priceFeedExists` is asked only until then. */
  private readonly stored = new Set<string>();

  constructor(pythAddress: string, provider: Provider) {
    this.pyth = new Contract(pythAddress, PYTH_INTERFACE, provider);
  }

  async publishTimeOf(priceId: string): Promise<number> {
    if (!this.stored.has(priceId)) {
      if (!((await this.pyth.getFunction("priceFeedExists").staticCall(priceId)) as boolean)) return 0;
      this.stored.add(priceId);
    }
    const price = (await this.pyth.getFunction("getPriceUnsafe").staticCall(priceId)) as {
      publishTime: bigint;
    };
    return Number(price.publishTime);
  }

  async updateFee(updateData: readonly string[]): Promise<bigint> {
    return (await this.pyth.getFunction("getUpdateFee").staticCall(updateData)) as bigint;
  }
}

/** What the Data Streams builder reads on chain. */
export interface DataStreamsChain {
  /** The `observationsTimestamp` of the latest report `source` accepted for `feedId` (0: none). */
  latestObservationsTimestamp(source: string, feedId: string): Promise<number>;
}

export class EthersDataStreamsChain implements DataStreamsChain {
  constructor(private readonly provider: Provider) {}

  async latestObservationsTimestamp(source: string, feedId: string): Promise<number> {
    const report = await IChainlinkDataStreamsSource__factory.connect(source, this.provider).latestReport(
      feedId,
    );
    return Number(report.observationsTimestamp);
  }
}

/** Counters of the pull builders (register once per registry). */
export interface PullMetrics {
  skipped: Counter;
}

export function createPullMetrics(registry: MetricsRegistry): PullMetrics {
  return {
    skipped: registry.counter(
      "updates_skipped_total",
      "pull updates not pushed because the chain already holds one as new, by source",
    ),
  };
}

/**
 * Pyth from Hermes: one `updatePriceFeeds(updateData)` for every price id the session reads, sent
 * with `getUpdateFee(updateData)` as value, unless no fetched price is newer than the chain's.
 */
export class PythPullUpdates implements UpdateBuilder {
  readonly source = "pyth";

  constructor(
    private readonly pythAddress: string,
    private readonly fetcher: PythUpdateFetcher,
    private readonly chain: PythChain,
    private readonly logger: Logger,
    private readonly metrics: PullMetrics,
  ) {}

  async build(prices: readonly MarketPrice[], now: number, session: Session): Promise<TxRequest[]> {
    const ids = [
      ...new Set(
        prices
          .filter((p) => p.pythPriceId !== undefined && readsSource(p, session, "pyth"))
          .map((p) => normalizeId(p.pythPriceId!)),
      ),
    ];
    if (ids.length === 0) return [];
    const update = await this.fetcher.latestUpdates(ids);
    const newer: string[] = [];
    for (const id of ids) {
      // `latestUpdates` guarantees a publish time for every requested id.
      if (update.publishTimes.get(id)! > (await this.chain.publishTimeOf(id))) newer.push(id);
    }
    if (newer.length === 0) {
      this.metrics.skipped.inc({ source: this.source });
      this.logger.debug("pyth prices on chain are as new as Hermes's", { ids });
      return [];
    }
    const value = await this.chain.updateFee(update.updateData);
    const data = PYTH_INTERFACE.encodeFunctionData("updatePriceFeeds", [update.updateData]);
    this.logger.debug("pyth update", { newer, updates: update.updateData.length, fee: value });
    return [{ to: this.pythAddress, data, value }];
  }
}

/** A market's session reads Data Streams but the deployment names no stream of the session's kind. */
export class MissingStreamError extends Error {
  override readonly name = "MissingStreamError";
  constructor(symbol: string, kind: DataStreamKind) {
    super(`${symbol} reads dataStreams now but the deployment record names no ${kind} stream`);
  }
}

/**
 * Data Streams from the REST API: for each market whose session reads Data Streams, the latest report
 * of the session's stream, submitted unchanged to the source of that stream kind
 * (`submitReport(fullReport)`; the source pays the verification fee from its own fee-token balance,
 * so the transaction carries no value). Streams are fetched concurrently; a failed stream is reported
 * in a `PartialUpdateError` while the others still go.
 */
export class DataStreamsPullReports implements UpdateBuilder {
  readonly source = "dataStreams";
  private readonly iface = IChainlinkDataStreamsSource__factory.createInterface();

  /** @param sources the deployment's Data Streams source per stream kind (`dataStreamsSources`). */
  constructor(
    private readonly sources: Readonly<Record<DataStreamKind, string>>,
    private readonly fetcher: DataStreamsReportFetcher,
    private readonly chain: DataStreamsChain,
    private readonly logger: Logger,
    private readonly metrics: PullMetrics,
  ) {}

  async build(prices: readonly MarketPrice[], now: number, session: Session): Promise<TxRequest[]> {
    const streams = streamsToPush(prices, session);
    const outcomes = await Promise.allSettled(streams.map((stream) => this.request(stream)));
    const requests: TxRequest[] = [];
    const failures: UpdateFailure[] = [];
    outcomes.forEach((outcome, i) => {
      const { market, kind, feedId } = streams[i]!;
      if (outcome.status === "rejected") {
        failures.push({ item: `${market.symbol} ${kind} ${feedId ?? "(none)"}`, error: outcome.reason });
      } else if (outcome.value !== undefined) {
        requests.push(outcome.value);
      }
    });
    if (failures.length > 0) throw new PartialUpdateError(this.source, requests, failures);
    return requests;
  }

  /** The submission of the stream's latest report, or undefined when the chain has it already. */
  private async request({ market, kind, feedId }: StreamToPush): Promise<TxRequest | undefined> {
    if (feedId === undefined) throw new MissingStreamError(market.symbol, kind);
    const source = this.sources[kind];
    const [report, onChain] = await Promise.all([
      this.fetcher.latestReport(feedId),
      this.chain.latestObservationsTimestamp(source, feedId),
    ]);
    if (report.observationsTimestamp <= onChain) {
      this.metrics.skipped.inc({ source: this.source });
      this.logger.debug("data streams report on chain is as new", {
        market: market.symbol,
        kind,
        feedId,
        onChain,
      });
      return undefined;
    }
    return { to: source, data: this.iface.encodeFunctionData("submitReport", [report.fullReport]) };
  }
}

/** The options of `parseOracleConfig` the production builders read. */
export type PullConfig = Pick<
  OracleCliConfig,
  | "pushPyth"
  | "hermesUrl"
  | "hermesToken"
  | "dataStreamsUrl"
  | "dataStreamsCredentials"
  | "fetchTimeoutMs"
  | "fetchAttempts"
  | "fetchBackoffMs"
>;

/**
 * The production pull builders `config` enables (`--push-pyth`, `--push-data-streams`) over
 * `deployment`'s contracts, sharing one set of fetch options and metrics.
 */
export function pullBuilders(
  config: PullConfig,
  deployment: DeploymentRecord,
  provider: Provider,
  logger: Logger,
  metrics: MetricsRegistry,
): UpdateBuilder[] {
  const fetch: FetchOptions = {
    timeoutMs: config.fetchTimeoutMs,
    retry: {
      attempts: config.fetchAttempts,
      baseDelayMs: config.fetchBackoffMs,
      maxDelayMs: 8 * config.fetchBackoffMs,
    },
    logger: logger.child({ component: "fetch" }),
    metrics: createFetchMetrics(metrics),
  };
  const pullMetrics = createPullMetrics(metrics);
  const builders: UpdateBuilder[] = [];
  if (config.pushPyth) {
    const hermes = new HermesFetcher(
      {
        baseUrl: config.hermesUrl,
        ...(config.hermesToken === undefined ? {} : { token: config.hermesToken }),
      },
      fetch,
    );
    const pyth = deployment.oracles.pyth;
    builders.push(
      new PythPullUpdates(pyth, hermes, new EthersPythChain(pyth, provider), logger, pullMetrics),
    );
  }
  if (config.dataStreamsCredentials !== undefined) {
    const streams = new DataStreamsRestFetcher(
      { baseUrl: config.dataStreamsUrl, credentials: config.dataStreamsCredentials },
      fetch,
    );
    builders.push(
      new DataStreamsPullReports(
        dataStreamsSources(deployment.contracts),
        streams,
        new EthersDataStreamsChain(provider),
        logger,
        pullMetrics,
      ),
    );
  }
  return builders;
}
