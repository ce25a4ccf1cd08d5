/**
 * The oracle keeper's web fetchers against a fake service on a local port: the exact request
 * (path, query, headers; the fake verifies the Data Streams HMAC itself), the parsing, and every
 * failure (HTTP 5xx and 429 retried with backoff, timeouts, connection errors, malformed bodies,
 * unknown feeds, refused credentials) as a clear `FetchError`, logged and counted.
 */
import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";
import { ConfigError } from "../../../keepers/lib/config.js";
import { FetchError, createFetchMetrics, type FetchOptions } from "../../../keepers/lib/http.js";
import { JsonLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import {
  DATA_STREAMS_LATEST_PATH,
  DataStreamsRestFetcher,
  dataStreamsAuthHeaders,
  loadDataStreamsCredentials,
} from "../../../keepers/oracle/datastreams.js";
import { HERMES_LATEST_PATH, HermesFetcher } from "../../../keepers/oracle/hermes.js";
import { LocalDonReports } from "../../../keepers/oracle/updates.js";
import { Session } from "../../../sdk/calendar.js";
import { logLines } from "../fakeSubmitter.js";
import {
  closedPort,
  dataStreamsAuthProblem,
  json,
  startFakeServer,
  type FakeHandler,
  type FakeServer,
} from "./fakeHttp.js";

const AAPL_PYTH = "0x49f6b65cb1de6b10eaf75e7c03ca029c306d0357e91b5311b175084a5ad55688";
const SPY_PYTH = "0x19e09bb805456ada3979a7d1cbb4b6d63babc3a0f8e8a9509f68afa5c4c11cd5";
const AAPL_STREAM = "0x000b4141504c2d45585400000000000000000000000000000000000000000000";
const OTHER_STREAM = "0x000b" + "77".repeat(30);
const API_KEY = "9a1b2c3d-0000-4000-8000-00000000beef";
const API_SECRET = "not-a-real-secret";

/** Options with a recording sleep (no real waiting) and a fresh registry and log per test. */
function fetchOptions(overrides: Partial<FetchOptions> = {}) {
  const metrics = new MetricsRegistry("t_");
  const log = logLines();
  const delays: number[] = [];
  const options: FetchOptions = {
    timeoutMs: 1_000,
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 150 },
    logger: new JsonLogger({ sink: log.sink, level: "debug" }),
    metrics: createFetchMetrics(metrics),
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  };
  const logs = () => log.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { options, metrics, delays, logs };
}

/** The rejection of `promise` as a FetchError (fails the test if it resolves or throws another error). */
async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error("expected a FetchError");
}

/** A Hermes answer for `ids` (hex without 0x, as Hermes writes it). */
function hermesBody(ids: readonly string[], publishTime: number) {
  return {
    binary: { encoding: "hex", data: ["504e4155" + "ab".repeat(40)] },
    parsed: ids.map((id) => ({
      id: id.slice(2),
      price: { price: "23150000000", conf: "2315000", expo: -8, publish_time: publishTime },
      ema_price: { price: "23150000000", conf: "2315000", expo: -8, publish_time: publishTime },
      metadata: { slot: 1, proof_available_time: publishTime, prev_publish_time: publishTime - 1 },
    })),
  };
}

describe("oracle keeper fetchers: Pyth Hermes", function () {
  let server: FakeServer;
  const serve = async (handler: FakeHandler) => (server = await startFakeServer(handler));
  afterEach(async () => server?.close());

  it("asks /v2/updates/price/latest for every id in hex with parsed prices, and returns 0x update data", async function () {
    await serve((_req, res) => json(res, 200, hermesBody([AAPL_PYTH, SPY_PYTH], 1_800_000_000)));
    const { options, metrics } = fetchOptions();
    const update = await new HermesFetcher({ baseUrl: server.url }, options).latestUpdates([
      AAPL_PYTH,
      SPY_PYTH,
    ]);
    const [req] = server.requests;
    const url = new URL(req!.url, server.url);
    expect(req!.method).to.equal("GET");
    expect(url.pathname).to.equal(HERMES_LATEST_PATH);
    expect(url.searchParams.getAll("ids[]")).to.deep.equal([AAPL_PYTH, SPY_PYTH]);
    expect(url.searchParams.get("encoding")).to.equal("hex");
    expect(url.searchParams.get("parsed")).to.equal("true");
    expect(req!.headers["authorization"]).to.equal(undefined);
    expect(update.updateData).to.deep.equal(["0x504e4155" + "ab".repeat(40)]);
    expect([...update.publishTimes]).to.deep.equal([
      [AAPL_PYTH, 1_800_000_000],
      [SPY_PYTH, 1_800_000_000],
    ]);
    expect(metrics.render()).to.include('t_fetch_requests_total{service="hermes"} 1');
    expect(metrics.render()).to.not.include("t_fetch_errors_total{");
  });

  it("keeps a provider's path prefix and sends its token as a bearer token", async function () {
    await serve((_req, res) => json(res, 200, hermesBody([AAPL_PYTH], 1)));
    const { options } = fetchOptions();
    await new HermesFetcher(
      { baseUrl: `${server.url}/tok3n/hermes/`, token: "s3cret" },
      options,
    ).latestUpdates([AAPL_PYTH]);
    expect(new URL(server.requests[0]!.url, server.url).pathname).to.equal(
      "/tok3n/hermes/v2/updates/price/latest",
    );
    expect(server.requests[0]!.headers["authorization"]).to.equal("Bearer s3cret");
  });

  it("retries HTTP 5xx and 429 with exponential backoff, logging each retry", async function () {
    const statuses = [503, 429, 200];
    await serve((_req, res) => {
      const status = statuses.shift()!;
      if (status === 200) json(res, 200, hermesBody([AAPL_PYTH], 7));
      else json(res, status, { error: "busy" });
    });
    const { options, metrics, delays, logs } = fetchOptions();
    const update = await new HermesFetcher({ baseUrl: server.url }, options).latestUpdates([AAPL_PYTH]);
    expect(update.publishTimes.get(AAPL_PYTH)).to.equal(7);
    expect(server.requests).to.have.length(3);
    expect(delays).to.deep.equal([100, 150]); // 100 ms, then 200 ms capped at 150 ms
    expect(metrics.render()).to.include('t_fetch_retries_total{kind="http_5xx",service="hermes"} 1');
    expect(metrics.render()).to.include('t_fetch_retries_total{kind="rate_limited",service="hermes"} 1');
    const retries = logs().filter((l) => l["msg"] === "fetch failed, retrying");
    expect(retries.map((l) => [l["level"], l["status"], l["attempt"]])).to.deep.equal([
      ["warn", 503, 1],
      ["warn", 429, 2],
    ]);
  });

  it("gives up after the last attempt on a lasting 5xx with a FetchError and a metric", async function () {
    await serve((_req, res) => json(res, 500, { error: "internal" }));
    const { options, metrics } = fetchOptions();
    const err = await fetchError(
      new HermesFetcher({ baseUrl: server.url }, options).latestUpdates([AAPL_PYTH]),
    );
    expect([err.kind, err.status, err.message]).to.deep.equal([
      "http_5xx",
      500,
      `hermes: HTTP 500 from ${HERMES_LATEST_PATH}: {"error":"internal"}`,
    ]);
    expect(server.requests).to.have.length(3);
    expect(metrics.render()).to.include('t_fetch_errors_total{kind="http_5xx",service="hermes"} 1');
  });

  it("times out an attempt that gets no answer and retries it", async function () {
    await serve(() => undefined); // never answers
    const { options, metrics } = fetchOptions({
      timeoutMs: 150,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const started = Date.now();
    const err = await fetchError(
      new HermesFetcher({ baseUrl: server.url }, options).latestUpdates([AAPL_PYTH]),
    );
    expect([err.kind, err.message]).to.deep.equal(["timeout", "hermes: no answer within 150 ms"]);
    expect(server.requests).to.have.length(2);
    expect(Date.now() - started).to.be.lessThan(2_000);
    expect(metrics.render()).to.include('t_fetch_retries_total{kind="timeout",service="hermes"} 1');
    expect(metrics.render()).to.include('t_fetch_errors_total{kind="timeout",service="hermes"} 1');
  });

  it("reports a service that does not listen as a network error", async function () {
    const { options, metrics } = fetchOptions({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const err = await fetchError(
      new HermesFetcher({ baseUrl: await closedPort() }, options).latestUpdates([AAPL_PYTH]),
    );
    expect(err.kind).to.equal("network");
    expect(err.message).to.equal("hermes: request failed (ECONNREFUSED)");
    expect(metrics.render()).to.include('t_fetch_errors_total{kind="network",service="hermes"} 1');
  });

  it("refuses a body that is not JSON, or JSON of another shape, without retrying", async function () {
    const bodies: string[] = [
      "<html>bad gateway</html>",
      JSON.stringify({ binary: { encoding: "base64", data: ["UE5BVQ=="] }, parsed: [] }),
      JSON.stringify({ binary: { encoding: "hex", data: ["xyz"] }, parsed: [] }),
      JSON.stringify({ binary: { encoding: "hex", data: ["00"] }, parsed: [{ id: AAPL_PYTH.slice(2) }] }),
    ];
    const messages: string[] = [];
    for (const body of bodies) {
      await serve((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
      const { options, metrics } = fetchOptions();
      const err = await fetchError(
        new HermesFetcher({ baseUrl: server.url }, options).latestUpdates([AAPL_PYTH]),
      );
      expect(err.kind).to.equal("malformed");
      expect(server.requests).to.have.length(1);
      expect(metrics.render()).to.include('t_fetch_errors_total{kind="malformed",service="hermes"} 1');
      messages.push(err.message);
      await server.close();
    }
    expect(messages).to.deep.equal([
      `hermes: ${HERMES_LATEST_PATH} answered with a body that is not JSON`,
      'hermes: binary.encoding is "base64", not "hex"',
      "hermes: binary.data[0] is not hex bytes",
      "hermes: parsed[0] has no id and integer price.publish_time",
    ]);
  });

  it("reports an unknown price id (HTTP 404, or no parsed price for it) as unknown_feed", async function () {
    await serve((_req, res) => json(res, 404, 'Price ids not found: ["deadbeef"]'));
    const first = fetchOptions();
    const notFound = await fetchError(
      new HermesFetcher({ baseUrl: server.url }, first.options).latestUpdates([AAPL_PYTH]),
    );
    expect([notFound.kind, notFound.status]).to.deep.equal(["unknown_feed", 404]);
    expect(server.requests).to.have.length(1);
    server.handler = (_req, res) => json(res, 200, hermesBody([AAPL_PYTH], 5));
    const second = fetchOptions();
    const missing = await fetchError(
      new HermesFetcher({ baseUrl: server.url }, second.options).latestUpdates([AAPL_PYTH, SPY_PYTH]),
    );
    expect([missing.kind, missing.message]).to.deep.equal([
      "unknown_feed",
      `hermes: no update for price id ${SPY_PYTH}`,
    ]);
    expect(second.metrics.render()).to.include(
      't_fetch_errors_total{kind="unknown_feed",service="hermes"} 1',
    );
  });
});

describe("oracle keeper fetchers: Chainlink Data Streams", function () {
  let server: FakeServer;
  afterEach(async () => server?.close());
  const don = new LocalDonReports(
    {
      regularHours: Wallet.createRandom().address,
      extendedHours: Wallet.createRandom().address,
      overnightHours: Wallet.createRandom().address,
    },
    new SigningKey(Wallet.createRandom().privateKey),
  );
  const credentials = { apiKey: API_KEY, secret: API_SECRET };
  let clockMs = 1_800_000_000_000;
  const nowMs = () => clockMs;

  /** The fake API: verifies the HMAC against `clockMs`, serves a v11 report of the stream asked for. */
  const authenticatedApi: FakeHandler = (req, res) => {
    const problem = dataStreamsAuthProblem(req, API_KEY, API_SECRET, clockMs);
    if (problem !== undefined) return json(res, 401, { error: problem });
    const feedId = new URL(req.url, "http://x").searchParams.get("feedID")!;
    if (feedId !== AAPL_STREAM) return json(res, 404, { error: "feed not found" });
    const observed = Math.floor(clockMs / 1000);
    json(res, 200, {
      report: {
        feedID: feedId,
        validFromTimestamp: observed - 1,
        observationsTimestamp: observed,
        fullReport: don.signedReport(feedId, 231n * 10n ** 18n, observed, Session.PRE_MARKET),
      },
    });
  };

  it("signs GET /api/v1/reports/latest?feedID=… as Chainlink documents and reads the signed report", async function () {
    server = await startFakeServer(authenticatedApi);
    const { options, metrics } = fetchOptions();
    const fetcher = new DataStreamsRestFetcher({ baseUrl: server.url, credentials, nowMs }, options);
    const report = await fetcher.latestReport(AAPL_STREAM);
    const [req] = server.requests;
    expect(req!.url).to.equal(`${DATA_STREAMS_LATEST_PATH}?feedID=${AAPL_STREAM}`);
    expect(req!.headers["authorization"]).to.equal(API_KEY);
    expect(req!.headers["x-authorization-timestamp"]).to.equal(String(clockMs));
    expect(dataStreamsAuthProblem(req!, API_KEY, API_SECRET, clockMs)).to.equal(undefined);
    expect(report).to.deep.include({
      feedId: AAPL_STREAM,
      validFromTimestamp: 1_800_000_000 - 1,
      observationsTimestamp: 1_800_000_000,
    });
    expect(report.fullReport).to.equal(
      don.signedReport(AAPL_STREAM, 231n * 10n ** 18n, 1_800_000_000, Session.PRE_MARKET),
    );
    expect(metrics.render()).to.include('t_fetch_requests_total{service="dataStreams"} 1');
  });

  it("computes the documented signature for a known request", function () {
    // Chainlink's string to sign, HMAC computed independently (Python hmac/hashlib) for this vector.
    const headers = dataStreamsAuthHeaders(
      "GET",
      "/api/v1/reports/latest?feedID=0x01",
      "",
      credentials,
      1_716_211_845_123,
    );
    expect(headers).to.deep.equal({
      Authorization: API_KEY,
      "X-Authorization-Timestamp": "1716211845123",
      "X-Authorization-Signature-SHA256": "a847dfd1ea58ae64cfef7409afa6f44258e6a80d77e627b99cdb4e00edd260ff",
    });
  });

  it("signs every retry afresh, with its own timestamp", async function () {
    let first = true;
    server = await startFakeServer((req, res) => {
      if (first) {
        first = false;
        clockMs += 7_000; // the retry comes later than the 5 s the server allows for the first signature
        return json(res, 502, { error: "bad gateway" });
      }
      return authenticatedApi(req, res);
    });
    const { options, metrics } = fetchOptions();
    const report = await new DataStreamsRestFetcher(
      { baseUrl: server.url, credentials, nowMs },
      options,
    ).latestReport(AAPL_STREAM);
    expect(report.observationsTimestamp).to.equal(Math.floor(clockMs / 1000));
    const stamps = server.requests.map((r) => r.headers["x-authorization-timestamp"]);
    expect(stamps).to.deep.equal([String(clockMs - 7_000), String(clockMs)]);
    expect(metrics.render()).to.include('t_fetch_retries_total{kind="http_5xx",service="dataStreams"} 1');
  });

  it("reports refused credentials (HTTP 401) once, without retrying, and never logs the secret", async function () {
    server = await startFakeServer(authenticatedApi);
    const { options, metrics, logs } = fetchOptions();
    const wrong = { apiKey: API_KEY, secret: "another-secret" };
    const err = await fetchError(
      new DataStreamsRestFetcher({ baseUrl: server.url, credentials: wrong, nowMs }, options).latestReport(
        AAPL_STREAM,
      ),
    );
    expect([err.kind, err.status]).to.deep.equal(["unauthorized", 401]);
    expect(err.message).to.equal(
      `dataStreams: stream ${AAPL_STREAM} refused (HTTP 401): wrong API key or secret, a clock more than 5 s off, or a stream the subscription does not include`,
    );
    expect(server.requests).to.have.length(1);
    expect(metrics.render()).to.include('t_fetch_errors_total{kind="unauthorized",service="dataStreams"} 1');
    expect(JSON.stringify(logs()) + err.message).to.not.include("another-secret");
  });

  it("reports an unknown stream (HTTP 404, or a report of another stream) as unknown_feed", async function () {
    server = await startFakeServer(authenticatedApi);
    const { options, metrics } = fetchOptions();
    const fetcher = new DataStreamsRestFetcher({ baseUrl: server.url, credentials, nowMs }, options);
    const notFound = await fetchError(fetcher.latestReport(OTHER_STREAM));
    expect([notFound.kind, notFound.status]).to.deep.equal(["unknown_feed", 404]);
    server.handler = (req, res) =>
      json(res, 200, { report: { feedID: AAPL_STREAM, fullReport: "0x00", observationsTimestamp: 1 } });
    const other = await fetchError(fetcher.latestReport(OTHER_STREAM));
    expect([other.kind, other.message]).to.deep.equal([
      "unknown_feed",
      `dataStreams: asked for stream ${OTHER_STREAM}, got a report of ${AAPL_STREAM}`,
    ]);
    expect(metrics.render()).to.include('t_fetch_errors_total{kind="unknown_feed",service="dataStreams"} 2');
  });

  it("refuses a malformed answer: not JSON, no report, a fullReport that does not decode or is signed for another stream", async function () {
    const signedForOther = don.signedReport(OTHER_STREAM, 1n, 1_800_000_000, Session.PRE_MARKET);
    const answers: unknown[] = [
      "{not json",
      { reports: [] },
      { report: { feedID: AAPL_STREAM, fullReport: "0xzz" } },
      { report: { feedID: AAPL_STREAM, fullReport: "0x" + "00".repeat(31) } },
      { report: { feedID: AAPL_STREAM, fullReport: signedForOther } },
    ];
    server = await startFakeServer(() => undefined);
    const messages: string[] = [];
    for (const answer of answers) {
      server.handler = (_req, res) =>
        typeof answer === "string" ? res.writeHead(200).end(answer) : json(res, 200, answer);
      const { options } = fetchOptions();
      const err = await fetchError(
        new DataStreamsRestFetcher({ baseUrl: server.url, credentials, nowMs }, options).latestReport(
          AAPL_STREAM,
        ),
      );
      expect(err.kind).to.equal("malformed");
      messages.push(err.message);
    }
    expect(server.requests).to.have.length(answers.length); // none retried
    expect(messages).to.deep.equal([
      `dataStreams: ${DATA_STREAMS_LATEST_PATH} answered with a body that is not JSON`,
      "dataStreams: answer has no `report` object",
      "dataStreams: report.fullReport is not hex bytes",
      `dataStreams: report.fullReport of ${AAPL_STREAM} does not decode as a signed report`,
      `dataStreams: report.fullReport of ${AAPL_STREAM} is signed for stream ${OTHER_STREAM}`,
    ]);
  });

  it("takes the API key and secret only from the environment variables it is told, never echoing them", function () {
    expect(loadDataStreamsCredentials("K", "S", { K: API_KEY, S: API_SECRET })).to.deep.equal(credentials);
    try {
      loadDataStreamsCredentials("K", "S", { K: "", S: undefined });
      expect.fail("loaded missing credentials");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.deep.equal([
        "environment variable $K (named by --data-streams-key-env) is not set",
        "environment variable $S (named by --data-streams-secret-env) is not set",
      ]);
    }
  });
});
