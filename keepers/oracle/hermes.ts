/**
 * Pyth price updates from Hermes, Pyth's web service (`GET /v2/updates/price/latest?ids[]=…
 * &encoding=hex&parsed=true`, https://docs.pyth.network/price-feeds/api-instances-and-providers/hermes).
 * The answer's `binary.data` is the Wormhole-signed update the Pyth contract verifies
 * (`IPyth.updatePriceFeeds`); `parsed` gives each feed's `publish_time`, which the keeper compares with
 * the chain's before paying for an update. The public instance needs no credentials; providers that
 * do take a bearer token (`Authorization: Bearer …`), given here from an environment variable.
 */
import {
  FetchError,
  HttpJsonClient,
  defaultStatusKind,
  serviceUrl,
  type FetchErrorKind,
  type FetchOptions,
} from "../lib/http.js";

export const HERMES_DEFAULT_URL = "https://hermes.pyth.network";
export const HERMES_LATEST_PATH = "/v2/updates/price/latest";
const SERVICE = "hermes";

/** The latest Pyth update for a set of price ids. */
export interface PythUpdates {
  /** The update data for `IPyth.updatePriceFeeds`, as 0x-hex byte strings. */
  updateData: string[];
  /** Publish time (UTC seconds) of each price id in the update, keyed by lower-case 0x id. */
  publishTimes: ReadonlyMap<string, number>;
}

/** Where the oracle keeper gets Pyth updates (Hermes in production, a fake in tests). */
export interface PythUpdateFetcher {
  /** @throws FetchError (`unknown_feed` when an id has no update). */
  latestUpdates(priceIds: readonly string[]): Promise<PythUpdates>;
}

export interface HermesConfig {
  baseUrl: string;
  /** A provider's API token, sent as `Authorization: Bearer <token>`; none for the public instance. */
  token?: string;
}

/** Hermes answers 404 for a price id it does not know. */
function hermesStatusKind(status: number): FetchErrorKind {
  return status === 404 ? "unknown_feed" : defaultStatusKind(status);
}

export class HermesFetcher implements PythUpdateFetcher {
  private readonly http: HttpJsonClient;

  constructor(
    private readonly config: HermesConfig,
    fetch: FetchOptions,
  ) {
    this.http = new HttpJsonClient({ ...fetch, service: SERVICE, statusKind: hermesStatusKind });
  }

  async latestUpdates(priceIds: readonly string[]): Promise<PythUpdates> {
    const url = serviceUrl(this.config.baseUrl, HERMES_LATEST_PATH);
    for (const id of priceIds) url.searchParams.append("ids[]", id);
    url.searchParams.set("encoding", "hex");
    url.searchParams.set("parsed", "true");
    const token = this.config.token;
    const headers = (): Record<string, string> =>
      token === undefined ? {} : { authorization: `Bearer ${token}` };
    return this.http.getJson(url, headers, (json) => parseHermesLatest(json, priceIds));
  }
}

/** `0x` + lower-case hex: Hermes writes ids without the prefix, deployments with it. */
export function normalizeId(id: string): string {
  return (id.startsWith("0x") || id.startsWith("0X") ? "0x" + id.slice(2) : "0x" + id).toLowerCase();
}

const HEX_BYTES = /^(0x)?([0-9a-fA-F]{2})+$/;

function malformed(message: string): FetchError {
  return new FetchError(SERVICE, "malformed", message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The update data and publish times of a `/v2/updates/price/latest` answer.
 * @throws FetchError `malformed` for a body of another shape, `unknown_feed` when a requested id has
 * no parsed price.
 */
export function parseHermesLatest(json: unknown, priceIds: readonly string[]): PythUpdates {
  if (!isRecord(json) || !isRecord(json["binary"])) throw malformed("answer has no `binary` object");
  const binary = json["binary"];
  if (binary["encoding"] !== "hex")
    throw malformed(`binary.encoding is ${JSON.stringify(binary["encoding"])}, not "hex"`);
  const data = binary["data"];
  if (!Array.isArray(data) || data.length === 0) throw malformed("binary.data is not a non-empty array");
  const updateData = data.map((item, i) => {
    if (typeof item !== "string" || !HEX_BYTES.test(item))
      throw malformed(`binary.data[${i}] is not hex bytes`);
    return item.startsWith("0x") ? item : "0x" + item;
  });
  const parsed = json["parsed"];
  if (!Array.isArray(parsed)) throw malformed("answer has no `parsed` array (asked with parsed=true)");
  const publishTimes = new Map<string, number>();
  parsed.forEach((entry, i) => {
    const price = isRecord(entry) ? entry["price"] : undefined;
    const publishTime = isRecord(price) ? price["publish_time"] : undefined;
    if (!isRecord(entry) || typeof entry["id"] !== "string" || !Number.isSafeInteger(publishTime)) {
      throw malformed(`parsed[${i}] has no id and integer price.publish_time`);
    }
    publishTimes.set(normalizeId(entry["id"]), publishTime as number);
  });
  for (const id of priceIds) {
    if (!publishTimes.has(normalizeId(id))) {
      throw new FetchError(SERVICE, "unknown_feed", `no update for price id ${normalizeId(id)}`);
    }
  }
  return { updateData, publishTimes };
}
