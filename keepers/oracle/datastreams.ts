/**
 * Chainlink Data Streams reports from the Data Streams REST API (`GET /api/v1/reports/latest?feedID=…`,
 * https://docs.chain.link/data-streams/reference/data-streams-api/interface-api). Every request is
 * authenticated the way Chainlink documents it: `Authorization` carries the API key,
 * `X-Authorization-Timestamp` the time in milliseconds (the server allows 5 s of clock skew), and
 * `X-Authorization-Signature-SHA256` the hex HMAC-SHA256, keyed with the API secret, of
 * `"<METHOD> <path?query> <hex sha256 of the body> <API key> <timestamp>"`. The key and the secret come
 * only from environment variables (`loadDataStreamsCredentials`) and never appear in logs.
 *
 * The answer's `fullReport` is the DON-signed report `ChainlinkDataStreamsSource.submitReport` takes
 * unchanged; the fetcher checks that it is a report of the stream it asked for and reads its
 * `observationsTimestamp` from the signed bytes, not from the JSON around them.
 */
import { createHash, createHmac } from "node:crypto";
import { AbiCoder, dataLength, isHexString } from "ethers";
import { ConfigError } from "../lib/config.js";
import {
  FetchError,
  HttpJsonClient,
  defaultStatusKind,
  serviceUrl,
  type FetchErrorKind,
  type FetchOptions,
} from "../lib/http.js";

export const DATA_STREAMS_DEFAULT_URL = "https://api.dataengine.chain.link";
export const DATA_STREAMS_LATEST_PATH = "/api/v1/reports/latest";
const SERVICE = "dataStreams";

/** A report as served by the API, its timestamps read from the signed report itself. */
export interface DataStreamsReport {
  feedId: string;
  validFromTimestamp: number;
  observationsTimestamp: number;
  /** `abi.encode(bytes32[3] reportContext, bytes reportData, bytes32[] rs, bytes32[] ss, bytes32 rawVs)`. */
  fullReport: string;
}

/** Where the oracle keeper gets Data Streams reports (the REST API in production, a fake in tests). */
export interface DataStreamsReportFetcher {
  /** @throws FetchError (`unknown_feed`, `unauthorized`, …). */
  latestReport(feedId: string): Promise<DataStreamsReport>;
}

export interface DataStreamsCredentials {
  apiKey: string;
  secret: string;
}

export interface DataStreamsConfig {
  baseUrl: string;
  credentials: DataStreamsCredentials;
  /** Wall clock in milliseconds for the signature timestamp (tests pin it). */
  nowMs?: () => number;
}

/**
 * The API key and secret from the environment variables `keyEnv` and `secretEnv`.
 * @throws ConfigError naming each variable that is unset (never echoing a value).
 */
export function loadDataStreamsCredentials(
  keyEnv: string,
  secretEnv: string,
  env: NodeJS.ProcessEnv,
): DataStreamsCredentials {
  const apiKey = env[keyEnv];
  const secret = env[secretEnv];
  const problems: string[] = [];
  if (apiKey === undefined || apiKey === "") {
    problems.push(`environment variable $${keyEnv} (named by --data-streams-key-env) is not set`);
  }
  if (secret === undefined || secret === "") {
    problems.push(`environment variable $${secretEnv} (named by --data-streams-secret-env) is not set`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { apiKey: apiKey!, secret: secret! };
}

/** The three authentication headers of a request (`pathWithQuery` as sent, e.g. `/api/v1/…?feedID=0x…`). */
export function dataStreamsAuthHeaders(
  method: string,
  pathWithQuery: string,
  body: string,
  credentials: DataStreamsCredentials,
  timestampMs: number,
): Record<string, string> {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  const stringToSign = `${method} ${pathWithQuery} ${bodyHash} ${credentials.apiKey} ${timestampMs}`;
  const signature = createHmac("sha256", credentials.secret).update(stringToSign).digest("hex");
  return {
    Authorization: credentials.apiKey,
    "X-Authorization-Timestamp": String(timestampMs),
    "X-Authorization-Signature-SHA256": signature,
  };
}

/** The API answers 404 for a stream it does not serve (and 401 for one the key may not read). */
function dataStreamsStatusKind(status: number): FetchErrorKind {
  return status === 404 ? "unknown_feed" : defaultStatusKind(status);
}

export class DataStreamsRestFetcher implements DataStreamsReportFetcher {
  private readonly http: HttpJsonClient;
  private readonly nowMs: () => number;

  constructor(
    private readonly config: DataStreamsConfig,
    fetch: FetchOptions,
  ) {
    this.http = new HttpJsonClient({ ...fetch, service: SERVICE, statusKind: dataStreamsStatusKind });
    this.nowMs = config.nowMs ?? Date.now;
  }

  async latestReport(feedId: string): Promise<DataStreamsReport> {
    const url = serviceUrl(this.config.baseUrl, DATA_STREAMS_LATEST_PATH);
    url.searchParams.set("feedID", feedId);
    const headers = () =>
      dataStreamsAuthHeaders("GET", url.pathname + url.search, "", this.config.credentials, this.nowMs());
    try {
      return await this.http.getJson(url, headers, (json) => parseLatestReport(json, feedId));
    } catch (err) {
      if (err instanceof FetchError && err.kind === "unauthorized") {
        throw new FetchError(
          SERVICE,
          "unauthorized",
          `stream ${feedId} refused (HTTP ${err.status}): wrong API key or secret, a clock more than 5 s off, or a stream the subscription does not include`,
          err.status,
        );
      }
      throw err;
    }
  }
}

function malformed(message: string): FetchError {
  return new FetchError(SERVICE, "malformed", message);
}

const FULL_REPORT = ["bytes32[3]", "bytes", "bytes32[]", "bytes32[]", "bytes32"];
/** Every report schema starts with `feedId, validFromTimestamp, observationsTimestamp`. */
const REPORT_HEADER = ["bytes32", "uint32", "uint32"];
const REPORT_HEADER_BYTES = 3 * 32;

/**
 * The report of a `/api/v1/reports/latest` answer, checked to be a report of `feedId`.
 * @throws FetchError `unknown_feed` when the answer is for another stream, `malformed` for a body of
 * another shape or a `fullReport` that does not decode.
 */
export function parseLatestReport(json: unknown, feedId: string): DataStreamsReport {
  const report = (json as { report?: unknown } | null)?.report as Record<string, unknown> | undefined;
  if (typeof report !== "object" || report === null) throw malformed("answer has no `report` object");
  const answered = report["feedID"];
  if (typeof answered !== "string") throw malformed("report.feedID is not a string");
  if (answered.toLowerCase() !== feedId.toLowerCase()) {
    throw new FetchError(SERVICE, "unknown_feed", `asked for stream ${feedId}, got a report of ${answered}`);
  }
  const raw = report["fullReport"];
  const fullReport = typeof raw === "string" && !raw.startsWith("0x") ? "0x" + raw : raw;
  if (typeof fullReport !== "string" || !isHexString(fullReport, true) || dataLength(fullReport) === 0) {
    throw malformed("report.fullReport is not hex bytes");
  }
  const coder = AbiCoder.defaultAbiCoder();
  let reportData: string;
  try {
    reportData = (coder.decode(FULL_REPORT, fullReport) as unknown as [unknown, string])[1];
  } catch {
    throw malformed(`report.fullReport of ${feedId} does not decode as a signed report`);
  }
  if (dataLength(reportData) < REPORT_HEADER_BYTES) throw malformed(`report of ${feedId} is too short`);
  const [signedFeedId, validFrom, observations] = coder.decode(REPORT_HEADER, reportData) as unknown as [
    string,
    bigint,
    bigint,
  ];
  if (signedFeedId.toLowerCase() !== feedId.toLowerCase()) {
    throw malformed(`report.fullReport of ${feedId} is signed for stream ${signedFeedId}`);
  }
  return {
    feedId,
    validFromTimestamp: Number(validFrom),
    observationsTimestamp: Number(observations),
    fullReport,
  };
}
