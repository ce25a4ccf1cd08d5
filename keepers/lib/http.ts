/**
 * JSON over HTTP for keepers that pull data from web services (Pyth's Hermes, Chainlink's Data
 * Streams API). Each attempt has its own timeout; transient failures (timeouts, connection errors,
 * HTTP 5xx and 429) are retried with capped exponential backoff, every other failure is final at
 * once. Every failure is classified (`FetchErrorKind`), logged as JSON and counted in Prometheus:
 * `fetch_requests_total{service}`, `fetch_retries_total{service,kind}`,
 * `fetch_errors_total{service,kind}` (final failures) and `fetch_duration_seconds{service}`.
 *
 * Headers are built per attempt (`headers()`), so that a signed request (HMAC over a timestamp) is
 * signed afresh on every retry. The caller's `parse` turns the JSON into what it needs; a body of the
 * wrong shape is a final `malformed` (or `unknown_feed`) failure, classified and counted like the
 * others.
 */
import type { Logger } from "./logger.js";
import type { Counter, Histogram, MetricsRegistry } from "./metrics.js";
import { sleep } from "./submitter.js";

/**
 * Why a fetch failed: `timeout`, `network` (connection refused or reset, DNS), `rate_limited` (429),
 * `http_5xx`, `http_4xx` (other client errors), `unauthorized` (401/403: credentials or permission),
 * `unknown_feed` (the service does not know an id the keeper asked for), `malformed` (not JSON, or
 * JSON of the wrong shape).
 */
export type FetchErrorKind =
  | "timeout"
  | "network"
  | "rate_limited"
  | "http_5xx"
  | "http_4xx"
  | "unauthorized"
  | "unknown_feed"
  | "malformed";

const RETRYABLE: readonly FetchErrorKind[] = ["timeout", "network", "rate_limited", "http_5xx"];

/** A fetch that failed for good (after the retries its kind allows). */
export class FetchError extends Error {
  override readonly name = "FetchError";
  constructor(
    readonly service: string,
    readonly kind: FetchErrorKind,
    message: string,
    /** The HTTP status when the service answered. */
    readonly status?: number,
  ) {
    super(`${service}: ${message}`);
  }

  get retryable(): boolean {
    return RETRYABLE.includes(this.kind);
  }
}

export interface HttpRetryOptions {
  /** Attempts in total (1: no retry). */
  attempts: number;
  /** Delay before the first retry; doubled before each next one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The counters and histogram every `HttpJsonClient` of a keeper shares (register them once). */
export interface FetchMetrics {
  requests: Counter;
  retries: Counter;
  errors: Counter;
  duration: Histogram;
}

export function createFetchMetrics(registry: MetricsRegistry): FetchMetrics {
  return {
    requests: registry.counter("fetch_requests_total", "HTTP fetches started, by service"),
    retries: registry.counter(
      "fetch_retries_total",
      "HTTP fetch attempts retried, by service and failure kind",
    ),
    errors: registry.counter(
      "fetch_errors_total",
      "HTTP fetches that failed for good, by service and kind (timeout, network, rate_limited, http_5xx, http_4xx, unauthorized, unknown_feed, malformed)",
    ),
    duration: registry.histogram(
      "fetch_duration_seconds",
      "HTTP fetch duration including retries, by service",
    ),
  };
}

export interface HttpJsonClientOptions {
  /** Metric and log label, e.g. `hermes`. */
  service: string;
  timeoutMs: number;
  retry: HttpRetryOptions;
  logger: Logger;
  metrics: FetchMetrics;
  /** Classifies a non-2xx answer (default: `defaultStatusKind`). */
  statusKind?: (status: number) => FetchErrorKind;
  /** Waits between attempts (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
}

/** 401/403 unauthorized, 429 rate limited, other 4xx client errors, everything else a server error. */
export function defaultStatusKind(status: number): FetchErrorKind {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 429) return "rate_limited";
  if (status >= 400 && status < 500) return "http_4xx";
  return "http_5xx";
}

/** The longest part of an error body quoted in a message. */
const BODY_EXCERPT_CHARS = 200;

export class HttpJsonClient {
  private readonly wait: (ms: number) => Promise<void>;
  private readonly statusKind: (status: number) => FetchErrorKind;

  constructor(private readonly options: HttpJsonClientOptions) {
    this.wait = options.sleep ?? sleep;
    this.statusKind = options.statusKind ?? defaultStatusKind;
  }

  /**
   * GETs `url` and returns `parse(json)`; `parse` throws a `FetchError` (`malformed`,
   * `unknown_feed`) for a body it cannot use.
   * @throws FetchError once the attempts are spent or at the first failure that is not transient.
   */
  async getJson<T>(url: URL, headers: () => Record<string, string>, parse: (json: unknown) => T): Promise<T> {
    const { service, metrics } = this.options;
    metrics.requests.inc({ service });
    const stopTimer = metrics.duration.startTimer({ service });
    try {
      const json = await this.fetchWithRetries(url, headers);
      try {
        return parse(json);
      } catch (err) {
        const error =
          err instanceof FetchError
            ? err
            : new FetchError(service, "malformed", `unusable body: ${String(err)}`);
        metrics.errors.inc({ service, kind: error.kind });
        throw error;
      }
    } finally {
      stopTimer();
    }
  }

  private async fetchWithRetries(url: URL, headers: () => Record<string, string>): Promise<unknown> {
    const { service, retry, logger, metrics } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(url, headers());
      } catch (err) {
        const error = this.classify(err);
        if (!error.retryable || attempt >= retry.attempts) {
          metrics.errors.inc({ service, kind: error.kind });
          throw error;
        }
        const delayMs = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        metrics.retries.inc({ service, kind: error.kind });
        logger.warn("fetch failed, retrying", {
          service,
          path: url.pathname,
          attempt,
          delayMs,
          kind: error.kind,
          ...(error.status === undefined ? {} : { status: error.status }),
          err: error,
        });
        await this.wait(delayMs);
      }
    }
  }

  private async attempt(url: URL, headers: Record<string, string>): Promise<unknown> {
    const { service, timeoutMs } = this.options;
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
    const body = await response.text();
    if (!response.ok) {
      const excerpt = body.length > BODY_EXCERPT_CHARS ? body.slice(0, BODY_EXCERPT_CHARS) + "…" : body;
      throw new FetchError(
        service,
        this.statusKind(response.status),
        `HTTP ${response.status} from ${url.pathname}${excerpt ? `: ${excerpt}` : ""}`,
        response.status,
      );
    }
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new FetchError(service, "malformed", `${url.pathname} answered with a body that is not JSON`);
    }
  }

  /** Any failure as a `FetchError`: timeouts and transport errors keep their cause in the message. */
  private classify(err: unknown): FetchError {
    const { service, timeoutMs } = this.options;
    if (err instanceof FetchError) return err;
    const name = (err as { name?: unknown } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new FetchError(service, "timeout", `no answer within ${timeoutMs} ms`);
    }
    const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
    const detail = typeof cause?.code === "string" ? cause.code : String(cause?.message ?? err);
    return new FetchError(service, "network", `request failed (${detail})`);
  }
}

/** The options every fetcher of a keeper shares (timeouts, retries, logs, metrics). */
export type FetchOptions = Omit<HttpJsonClientOptions, "service" | "statusKind">;

/**
 * `path` under `baseUrl`, keeping a path prefix of the base (a provider's `https://host/<token>/hermes`
 * stays a prefix), e.g. `serviceUrl("https://hermes.pyth.network", "/v2/updates/price/latest")`.
 */
export function serviceUrl(baseUrl: string, path: string): URL {
  const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  return new URL(path.replace(/^\/+/, ""), base);
}
