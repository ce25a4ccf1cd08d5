import { expect } from "chai";
import { Wallet, getAddress, makeError } from "ethers";
import { ConfigError, loadOptions, loadWallet } from "../../../keepers/lib/config.js";
import { JsonLogger, silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsError, MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { ShutdownCoordinator } from "../../../keepers/lib/shutdown.js";
import {
  isAlreadyKnown,
  isNonceConflict,
  isRetryableRpcError,
  withRetries,
} from "../../../keepers/lib/submitter.js";
import { MATCHER_OPTIONS, parseMatcherConfig } from "../../../keepers/matcher/config.js";

describe("keeper library", () => {
  describe("metrics exposition", () => {
    it("renders counters, gauges and histograms in the Prometheus text format", () => {
      const r = new MetricsRegistry("k_");
      const c = r.counter("events_total", "Events.\nSecond line");
      const g = r.gauge("depth", "Depth");
      const h = r.histogram("latency_seconds", "Latency", [0.1, 1]);
      c.inc({ kind: 'a"b' });
      c.inc({ kind: 'a"b' }, 2);
      g.set(5);
      g.dec({}, 2);
      h.observe(0.05);
      h.observe(0.5);
      h.observe(3);
      expect(r.render()).to.equal(
        [
          "# HELP k_events_total Events.\\nSecond line",
          "# TYPE k_events_total counter",
          'k_events_total{kind="a\\"b"} 3',
          "# HELP k_depth Depth",
          "# TYPE k_depth gauge",
          "k_depth 3",
          "# HELP k_latency_seconds Latency",
          "# TYPE k_latency_seconds histogram",
          'k_latency_seconds_bucket{le="0.1"} 1',
          'k_latency_seconds_bucket{le="1"} 2',
          'k_latency_seconds_bucket{le="+Inf"} 3',
          "k_latency_seconds_sum 3.55",
          "k_latency_seconds_count 3",
          "",
        ].join("\n"),
      );
    });

    it("rejects invalid names, duplicates, negative counter increments and the le label", () => {
      const r = new MetricsRegistry();
      expect(() => r.counter("bad-name", "x")).to.throw(MetricsError);
      r.counter("ok_total", "x");
      expect(() => r.gauge("ok_total", "x")).to.throw(/registered twice/);
      expect(() => r.counter("c_total", "x").inc({}, -1)).to.throw(/negative/);
      expect(() => r.gauge("g", "x").set(1, { "bad-label": "1" })).to.throw(/invalid label/);
      expect(() => r.histogram("h", "x", [1]).observe(1, { le: "1" })).to.throw(/reserved/);
      expect(() => r.histogram("h2", "x", [])).to.throw(/buckets/);
    });
  });

  it("logs one JSON object per line with levels, child fields, bigints and errors", () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ level: "info", sink: (l) => lines.push(l), now: () => new Date(0) });
    logger.debug("hidden");
    logger.child({ component: "x" }).warn("careful", { amount: 10n ** 30n, err: new Error("boom") });
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!)).to.deep.equal({
      time: "1970-01-01T00:00:00.000Z",
      level: "warn",
      msg: "careful",
      component: "x",
      amount: "1000000000000000000000000000000",
      err: { name: "Error", message: "boom" },
    });
  });

  describe("configuration", () => {
    const base = ["--rpc-url", "http://127.0.0.1:8545"];

    it("reads flags over environment over defaults, with the keepers' deployment and key options", () => {
      const config = parseMatcherConfig([...base, "--batch-size=25"], { SUNDIAL_MATCHER_PORT: "9000" });
      expect(config.service).to.include({ batchSize: 25, port: 9000, host: "127.0.0.1" });
      expect(config.service.expiryMarginSec).to.equal(10n);
      expect(config).to.include({
        deployment: "deployments/local.json",
        keySource: "env",
        keyEnv: "SUNDIAL_MATCHER_KEY",
        hardhatNetwork: undefined,
        clearinghouse: undefined,
      });
      const fromEnv = parseMatcherConfig([], {
        SUNDIAL_RPC_URL: "https://rpc.example",
        SUNDIAL_DEPLOYMENT: "deployments/l2.json",
        SUNDIAL_CLEARINGHOUSE: "0x" + "ab".repeat(20),
        SUNDIAL_MATCHER_KEY_ENV: "OPS_MATCHER_KEY",
        SUNDIAL_KEY_SOURCE: "hardhat",
        SUNDIAL_MATCHER_HARDHAT_NETWORK: "opsMatcher",
      });
      expect(fromEnv).to.include({
        rpcUrl: "https://rpc.example",
        deployment: "deployments/l2.json",
        clearinghouse: getAddress("0x" + "ab".repeat(20)),
        keyEnv: "OPS_MATCHER_KEY",
        keySource: "hardhat",
        hardhatNetwork: "opsMatcher",
      });
    });

    it("reports every problem at once", () => {
      try {
        parseMatcherConfig(
          ["--rpc-url", "ftp://x", "--batch-size", "0", "--port", "abc", "--log-level", "loud"],
          {},
        );
        expect.fail("no error");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        const problems = (err as ConfigError).problems;
        expect(problems.join("\n")).to.match(/--rpc-url.*http\(s\)/);
        expect(problems.join("\n")).to.match(/--batch-size.*≥ 1, got 0/);
        expect(problems.join("\n")).to.match(/--port.*integer/);
        expect(problems.join("\n")).to.match(/--log-level.*one of debug, info, warn, error/);
        expect(problems).to.have.length(4);
      }
      expect(() => parseMatcherConfig([], {})).to.throw(
        ConfigError,
        /missing --rpc-url or \$SUNDIAL_RPC_URL/,
      );
    });

    it("rejects unknown flags, missing values and stray arguments", () => {
      expect(() => loadOptions(MATCHER_OPTIONS, ["--nope"], {})).to.throw(/unknown flag --nope/);
      expect(() => loadOptions(MATCHER_OPTIONS, ["--rpc-url"], {})).to.throw(/needs a value/);
      expect(() => loadOptions(MATCHER_OPTIONS, ["stray"], {})).to.throw(/unexpected argument/);
      expect(() => parseMatcherConfig([...base, "--clearinghouse=0x12"], {})).to.throw(/0x address/);
    });

    it("loads the key only from the named environment variable and never echoes it", () => {
      const key = "0x" + "44".repeat(32);
      expect(loadWallet("MY_KEY", { MY_KEY: key }).address).to.equal(new Wallet(key).address);
      expect(() => loadWallet("MY_KEY", {})).to.throw(/\$MY_KEY .* is not set/);
      try {
        loadWallet("MY_KEY", { MY_KEY: "0x1234secret" });
        expect.fail("no error");
      } catch (err) {
        expect((err as Error).message)
          .to.include("32-byte")
          .and.not.include("secret");
      }
      expect(() => loadWallet("MY_KEY", { MY_KEY: "0x" + "00".repeat(32) })).to.throw(/valid secp256k1/);
    });
  });

  it("runs shutdown steps once, last registered first, past failures", async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const s = new ShutdownCoordinator(silentLogger, 1_000, (c) => exits.push(c));
    s.register("db", () => void order.push("db"));
    s.register("batch", async () => {
      order.push("batch");
      throw new Error("x");
    });
    s.register("http", () => void order.push("http"));
    await Promise.all([s.shutdown(), s.shutdown()]);
    expect(order).to.deep.equal(["http", "batch", "db"]);
    expect(s.isShuttingDown).to.equal(true);
    expect(exits).to.deep.equal([]);
  });

  it("classifies RPC errors and retries only transport failures, boundedly", async () => {
    expect(isRetryableRpcError(makeError("down", "NETWORK_ERROR"))).to.equal(true);
    expect(isRetryableRpcError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).to.equal(true);
    expect(isRetryableRpcError(makeError("reverted", "CALL_EXCEPTION"))).to.equal(false);
    expect(isNonceConflict(new Error("nonce too low: next nonce 5"))).to.equal(true);
    expect(isNonceConflict(makeError("x", "NONCE_EXPIRED"))).to.equal(true);
    expect(isAlreadyKnown(new Error("already known"))).to.equal(true);
    let calls = 0;
    const opts = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
    const value = await withRetries(
      "x",
      async () => {
        if (++calls < 3) throw makeError("down", "NETWORK_ERROR");
        return 7;
      },
      silentLogger,
      opts,
    );
    expect([value, calls]).to.deep.equal([7, 3]);
    calls = 0;
    const failed = await withRetries(
      "x",
      async () => {
        calls++;
        throw makeError("down", "TIMEOUT");
      },
      silentLogger,
      opts,
    ).then(
      () => "resolved",
      (err: unknown) => (err as Error).message,
    );
    expect(failed).to.match(/down/);
    expect(calls).to.equal(3);
  });
});
