/**
 * Builders of the oracle keeper's transactions, one per price source. Each turns the current prices
 * into `TxRequest`s; the keeper simulates and sends them. Local builders (`MockPythUpdates`,
 * `LocalDonReports`, `MockFeedAnswers`) stand in for what Pyth's Hermes, Chainlink's Data Streams
 * API and Chainlink's own transmitters do on a real network (production uses the pull builders of
 * `pull.ts` instead); `SignedQuoteUpdates` is the same in production (the keeper is a quote
 * publisher).
 */
import {
  AbiCoder,
  Signature,
  SigningKey,
  concat,
  keccak256,
  solidityPacked,
  type Provider,
  type Wallet,
} from "ethers";
import {
  SESSION_NAMES,
  dataStreamKindOf,
  type DataStreamKind,
  type SourceKind,
} from "../../deploy/config.js";
import { Session } from "../../sdk/calendar.js";
import {
  IChainlinkDataStreamsSource__factory,
  IOracleAdapter__factory,
  ISignedQuoteSource__factory,
  MockPyth__factory,
  MockV3Aggregator__factory,
} from "../../typechain-types/index.js";
import type { TxRequest } from "../lib/submitter.js";

/** What a builder knows of a market: its ids at each source and the sources each session reads. */
export interface MarketPrice {
  symbol: string;
  marketId: string;
  priceX18: bigint;
  pythPriceId?: string;
  /** The market's Data Streams stream per stream kind (a session reads the stream of its kind). */
  dataStreamsFeedIds?: Partial<Record<DataStreamKind, string>>;
  chainlinkFeed?: string;
  /** Source kinds per session name, as deployed (`DeployedMarket.sessions`). */
  sessions: Readonly<Record<string, readonly SourceKind[]>>;
}

export interface UpdateBuilder {
  /** Metric/log label: `pyth`, `dataStreams`, `chainlinkFeed`, `signedQuotes`. */
  readonly source: string;
  /**
   * The transactions to send now. Throws when nothing could be built; throws `PartialUpdateError`
   * when some items failed (e.g. one stream's fetch) but others are ready to send.
   */
  build(prices: readonly MarketPrice[], now: number, session: Session): Promise<TxRequest[]>;
}

/** One item of a build that failed, e.g. the fetch of one market's report. */
export interface UpdateFailure {
  /** What failed, for logs: e.g. `AAPL extendedHours 0x000b…`. */
  item: string;
  error: unknown;
}

/**
 * Some items of a build failed while others built: the keeper sends `requests` and logs and counts
 * each of `failures`, so that one bad stream never holds back the others.
 */
export class PartialUpdateError extends Error {
  override readonly name = "PartialUpdateError";
  constructor(
    readonly source: string,
    readonly requests: readonly TxRequest[],
    readonly failures: readonly UpdateFailure[],
  ) {
    super(`${source}: ${failures.length} of ${failures.length + requests.length} updates failed to build`);
  }
}

/** Whether `market` reads source `kind` in `session` (primary or secondary). */
export function readsSource(
  market: Pick<MarketPrice, "sessions">,
  session: Session,
  kind: SourceKind,
): boolean {
  return market.sessions[SESSION_NAMES[session]]?.includes(kind) ?? false;
}

/** A market's stream to push in `session`: the stream of the session's kind, if the session reads Data Streams. */
export interface StreamToPush {
  market: MarketPrice;
  kind: DataStreamKind;
  /** Undefined when the deployment names no stream of that kind (a record edited by hand). */
  feedId: string | undefined;
}

/** The markets whose `session` reads Data Streams, each with the stream of the session's kind. */
export function streamsToPush(prices: readonly MarketPrice[], session: Session): StreamToPush[] {
  const kind = dataStreamKindOf(session);
  if (kind === undefined) return [];
  return prices
    .filter((p) => readsSource(p, session, "dataStreams"))
    .map((market) => ({ market, kind, feedId: market.dataStreamsFeedIds?.[kind] }));
}

/** Pyth and Chainlink mocks use 8 decimals (expo -8), like their equity feeds. */
const TO_8_DECIMALS = 10n ** 10n;

/** Data Streams v11 `marketStatus` for a calendar session (docs/oracle-sources.md). */
export const MARKET_STATUS: Record<Session, number> = {
  [Session.PRE_MARKET]: 1,
  [Session.REGULAR]: 2,
  [Session.POST_MARKET]: 3,
  [Session.OVERNIGHT]: 4,
  [Session.CLOSED]: 5,
};

/** Local Pyth: update data from `MockPyth.createPriceFeedUpdateData`, sent with the update fee. */
export class MockPythUpdates implements UpdateBuilder {
  readonly source = "pyth";
  private readonly pyth;

  constructor(
    private readonly pythAddress: string,
    provider: Provider,
  ) {
    this.pyth = MockPyth__factory.connect(pythAddress, provider);
  }

  async build(prices: readonly MarketPrice[], now: number): Promise<TxRequest[]> {
    const updates: string[] = [];
    for (const p of prices) {
      if (p.pythPriceId === undefined) continue;
      const price = p.priceX18 / TO_8_DECIMALS;
      const conf = price / 10_000n; // 1 bp: well inside the sources' confidence bound
      updates.push(
        await this.pyth.createPriceFeedUpdateData(p.pythPriceId, price, conf, -8, price, conf, now, now - 1),
      );
    }
    if (updates.length === 0) return [];
    const value = await this.pyth.getUpdateFee(updates);
    const data = this.pyth.interface.encodeFunctionData("updatePriceFeeds", [updates]);
    return [{ to: this.pythAddress, data, value }];
  }
}

/** Local Chainlink Data Feeds: `MockV3Aggregator.updateAnswer` (Chainlink transmits on a real network). */
export class MockFeedAnswers implements UpdateBuilder {
  readonly source = "chainlinkFeed";
  private readonly iface = MockV3Aggregator__factory.createInterface();

  async build(prices: readonly MarketPrice[]): Promise<TxRequest[]> {
    return prices
      .filter((p) => p.chainlinkFeed !== undefined)
      .map((p) => ({
        to: p.chainlinkFeed!,
        data: this.iface.encodeFunctionData("updateAnswer", [p.priceX18 / TO_8_DECIMALS]),
      }));
  }
}

/** The v11 report tuple, in Solidity field order (`DataStreamsReportV11`). */
const REPORT_V11 =
  "tuple(bytes32,uint32,uint32,uint192,uint192,uint32,int192,uint64,int192,int192,int192,int192,int192,uint32)";

/**
 * Local Data Streams: v11 reports signed by the local DON key (the `MockVerifierProxy` signer), in
 * Chainlink's full-report encoding, submitted to `ChainlinkDataStreamsSource.submitReport` of the
 * session's stream kind — like the production keeper, only for the markets whose session reads Data
 * Streams, and only the stream of that session (`streamsToPush`). Spread ±1 bp around the price; one
 * report per stream per second (the source rejects older ones).
 */
export class LocalDonReports implements UpdateBuilder {
  readonly source = "dataStreams";
  private readonly iface = IChainlinkDataStreamsSource__factory.createInterface();
  private readonly lastObserved = new Map<string, number>();
  private readonly coder = AbiCoder.defaultAbiCoder();

  /** @param sources the deployment's Data Streams source per stream kind (`dataStreamsSources`). */
  constructor(
    private readonly sources: Readonly<Record<DataStreamKind, string>>,
    private readonly donKey: SigningKey,
  ) {}

  async build(prices: readonly MarketPrice[], now: number, session: Session): Promise<TxRequest[]> {
    const out: TxRequest[] = [];
    for (const { market, kind, feedId } of streamsToPush(prices, session)) {
      if (feedId === undefined || (this.lastObserved.get(feedId) ?? 0) >= now) continue;
      this.lastObserved.set(feedId, now);
      const report = this.signedReport(feedId, market.priceX18, now, session);
      out.push({ to: this.sources[kind], data: this.iface.encodeFunctionData("submitReport", [report]) });
    }
    return out;
  }

  /**
   * A v11 report of `feedId` at `priceX18`, observed at `now` with the session's `marketStatus`:
   * `abi.encode(bytes32[3] reportContext, bytes reportData, bytes32[] rs, bytes32[] ss, bytes32 rawVs)`.
   */
  signedReport(feedId: string, priceX18: bigint, now: number, session: Session): string {
    const spread = priceX18 / 10_000n;
    const reportData = this.coder.encode(
      [REPORT_V11],
      [
        [
          feedId,
          now - 1,
          now,
          0n,
          0n,
          now + 86_400,
          priceX18,
          BigInt(now) * 1_000_000_000n,
          priceX18 - spread,
          1_000n * 10n ** 18n,
          priceX18 + spread,
          1_000n * 10n ** 18n,
          priceX18,
          MARKET_STATUS[session],
        ],
      ],
    );
    const context = [
      keccak256(solidityPacked(["string", "uint256"], ["sundial-local", now])),
      toWord(now),
      toWord(0),
    ];
    const digest = keccak256(concat([keccak256(reportData), ...context]));
    const sig = Signature.from(this.donKey.sign(digest));
    const rawVs = "0x" + (sig.v - 27).toString(16).padStart(2, "0") + "00".repeat(31);
    return this.coder.encode(
      ["bytes32[3]", "bytes", "bytes32[]", "bytes32[]", "bytes32"],
      [context, reportData, [sig.r], [sig.s], rawVs],
    );
  }
}

function toWord(n: number): string {
  return "0x" + BigInt(n).toString(16).padStart(64, "0");
}

/** EIP-712 quotes signed by this keeper as a publisher of `SignedQuoteSource` (production too). */
export class SignedQuoteUpdates implements UpdateBuilder {
  readonly source = "signedQuotes";
  private readonly iface = ISignedQuoteSource__factory.createInterface();
  private lastObservedAt = 0;

  constructor(
    private readonly sourceAddress: string,
    private readonly chainId: bigint,
    private readonly publisher: Wallet,
  ) {}

  async build(prices: readonly MarketPrice[], now: number): Promise<TxRequest[]> {
    if (prices.length === 0 || now <= this.lastObservedAt) return [];
    this.lastObservedAt = now;
    const domain = {
      name: "Sundial Signed Quotes",
      version: "1",
      chainId: this.chainId,
      verifyingContract: this.sourceAddress,
    };
    const types = {
      PriceQuote: [
        { name: "marketId", type: "bytes32" },
        { name: "priceX18", type: "uint256" },
        { name: "observedAt", type: "uint256" },
        { name: "publisher", type: "address" },
      ],
    };
    const quotes = prices.map((p) => ({
      marketId: p.marketId,
      priceX18: p.priceX18,
      observedAt: BigInt(now),
      publisher: this.publisher.address,
    }));
    const signatures = await Promise.all(quotes.map((q) => this.publisher.signTypedData(domain, types, q)));
    return [
      { to: this.sourceAddress, data: this.iface.encodeFunctionData("submitQuotes", [quotes, signatures]) },
    ];
  }
}

/** `OracleAdapter.poke(market)` for every market. */
export function pokeRequests(adapter: string, marketIds: readonly string[]): TxRequest[] {
  const iface = IOracleAdapter__factory.createInterface();
  return marketIds.map((id) => ({ to: adapter, data: iface.encodeFunctionData("poke", [id]) }));
}
