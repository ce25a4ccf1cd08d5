import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbiCoder,
  Interface,
  Signature,
  SigningKey,
  Wallet,
  concat,
  keccak256,
  recoverAddress,
  verifyTypedData,
} from "ethers";
import { Session, type SessionWindow } from "../../../sdk/calendar.js";
import { ConfigError } from "../../../keepers/lib/config.js";
import { JsonLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import type { TxRequest } from "../../../keepers/lib/submitter.js";
import { OracleKeeper, type OracleMarket } from "../../../keepers/oracle/keeper.js";
import { parseOracleConfig } from "../../../keepers/oracle/config.js";
import { FilePriceInput, RandomWalkPriceInput, type PriceInput } from "../../../keepers/oracle/prices.js";
import {
  LocalDonReports,
  MARKET_STATUS,
  PartialUpdateError,
  SignedQuoteUpdates,
  type MarketPrice,
  type UpdateBuilder,
} from "../../../keepers/oracle/updates.js";
import { IOracleAdapter__factory } from "../../../typechain-types/index.js";
import { logLines, RecordingSubmitter } from "../fakeSubmitter.js";

const X18 = 10n ** 18n;
const ADAPTER = "0x00000000000000000000000000000000000000Ad";
const MARKETS: OracleMarket[] = [
  { symbol: "AAPL", marketId: "0x" + "01".repeat(32), sessions: {} },
  { symbol: "SPY", marketId: "0x" + "02".repeat(32), sessions: {} },
];
const adapterIface = IOracleAdapter__factory.createInterface();

/** A builder that emits one request per market to `to`, or throws when `fail` is set. */
class FakeBuilder implements UpdateBuilder {
  fail = false;
  readonly calls: Session[] = [];
  constructor(
    readonly source: string,
    private readonly to: string,
  ) {}
  async build(prices: readonly MarketPrice[], _now: number, session: Session): Promise<TxRequest[]> {
    this.calls.push(session);
    if (this.fail) throw new Error("input unavailable");
    return prices.map((p) => ({ to: this.to, data: "0x" + p.priceX18.toString(16).padStart(64, "0") }));
  }
}

/** The message a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a rejection");
}

const fixedPrices: PriceInput = {
  prices: async (symbols) => new Map(symbols.map((s) => [s, 100n * X18])),
};

function setup() {
  let now = 1_000;
  let window: SessionWindow = { session: Session.CLOSED, start: 0, end: 2_000 };
  const submitter = new RecordingSubmitter();
  const pyth = new FakeBuilder("pyth", "0x000000000000000000000000000000000000a001");
  const quotes = new FakeBuilder("signedQuotes", "0x000000000000000000000000000000000000a002");
  const metrics = new MetricsRegistry("t_");
  const log = logLines();
  const keeper = new OracleKeeper(
    MARKETS,
    ADAPTER,
    fixedPrices,
    [pyth, quotes],
    submitter,
    { sessionAt: () => window.session, sessionWindow: () => window },
    async () => now,
    new JsonLogger({ sink: log.sink }),
    metrics,
  );
  const pokes = () => submitter.submitted.filter((r) => r.to === ADAPTER);
  return {
    keeper,
    submitter,
    pyth,
    quotes,
    metrics,
    pokes,
    setWindow: (w: SessionWindow) => (window = w),
    advance: (s: number) => (now += s),
  };
}

describe("oracle keeper", function () {
  it("pushes every source's updates, then pokes every market at start", async function () {
    const t = setup();
    expect(await t.keeper.tick()).to.deep.equal({ session: Session.CLOSED, sent: 4, failed: 0, poked: true });
    expect(t.submitter.submitted.slice(0, 4).map((r) => r.to)).to.deep.equal([
      "0x000000000000000000000000000000000000a001",
      "0x000000000000000000000000000000000000a001",
      "0x000000000000000000000000000000000000a002",
      "0x000000000000000000000000000000000000a002",
    ]);
    expect(t.pokes().map((r) => adapterIface.decodeFunctionData("poke", r.data)[0])).to.deep.equal(
      MARKETS.map((m) => m.marketId),
    );
    expect(t.submitter.simulated.length).to.equal(t.submitter.submitted.length);
    expect(t.metrics.render()).to.include('t_pokes_total{market="AAPL",outcome="sent"} 1');
    expect(t.metrics.render()).to.include('t_input_price_usd{market="SPY"} 100');
  });

  it("pokes only when the calendar's session window changes", async function () {
    const t = setup();
    await t.keeper.tick();
    t.advance(5);
    expect((await t.keeper.tick()).poked).to.equal(false);
    t.setWindow({ session: Session.PRE_MARKET, start: 2_000, end: 3_000 });
    t.advance(1_000);
    const result = await t.keeper.tick();
    expect(result).to.deep.include({ session: Session.PRE_MARKET, poked: true });
    expect(t.pokes()).to.have.length(4);
    expect(t.pyth.calls).to.deep.equal([Session.CLOSED, Session.CLOSED, Session.PRE_MARKET]);
  });

  it("retries the pokes of a transition on the next tick when one failed", async function () {
    const t = setup();
    t.submitter.policy = (req) => (req.to === ADAPTER ? "simulation" : "ok");
    expect(await t.keeper.tick()).to.deep.include({ poked: true, failed: 2 });
    expect(t.pokes()).to.have.length(0);
    t.submitter.policy = () => "ok";
    expect((await t.keeper.tick()).poked).to.equal(true);
    expect(t.pokes()).to.have.length(2);
    expect(t.metrics.render()).to.include('t_pokes_total{market="AAPL",outcome="simulation_failed"} 1');
  });

  it("keeps pushing the other sources when one fails to build or reverts", async function () {
    const t = setup();
    t.pyth.fail = true;
    t.submitter.policy = (req) => (req.to === "0x000000000000000000000000000000000000a002" ? "revert" : "ok");
    const result = await t.keeper.tick();
    expect(result.failed).to.equal(3); // pyth build + two reverted quotes
    expect(t.metrics.render()).to.include('t_updates_total{outcome="build_failed",source="pyth"} 1');
    expect(t.metrics.render()).to.include('t_updates_total{outcome="reverted",source="signedQuotes"} 2');
    expect(t.pokes()).to.have.length(2);
  });
});

describe("oracle keeper with a partly failing build", function () {
  it("sends what built, and logs and counts each failed item", async function () {
    const t = setup();
    const partial: UpdateBuilder = {
      source: "dataStreams",
      build: async () => {
        throw new PartialUpdateError(
          "dataStreams",
          [{ to: "0x000000000000000000000000000000000000a003", data: "0x01" }],
          [{ item: "SPY extendedHours 0x000b01", error: new Error("HTTP 503") }],
        );
      },
    };
    const log = logLines();
    const metrics = new MetricsRegistry("p_");
    const keeper = new OracleKeeper(
      MARKETS,
      ADAPTER,
      fixedPrices,
      [partial, t.quotes],
      t.submitter,
      {
        sessionAt: () => Session.CLOSED,
        sessionWindow: () => ({ session: Session.CLOSED, start: 0, end: 9 }),
      },
      async () => 1_000,
      new JsonLogger({ sink: log.sink }),
      metrics,
    );
    expect(await keeper.tick()).to.deep.equal({ session: Session.CLOSED, sent: 3, failed: 1, poked: true });
    expect(t.submitter.submitted.map((r) => r.to)).to.include("0x000000000000000000000000000000000000a003");
    expect(metrics.render()).to.include('p_updates_total{outcome="build_failed",source="dataStreams"} 1');
    expect(metrics.render()).to.include('p_updates_total{outcome="sent",source="dataStreams"} 1');
    const failure = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l["item"]);
    expect(failure).to.deep.include({
      level: "error",
      msg: "update build failed",
      source: "dataStreams",
      item: "SPY extendedHours 0x000b01",
      err: { name: "Error", message: "HTTP 503" },
    });
  });
});

describe("oracle keeper price inputs", function () {
  it("walks prices reproducibly, within the step and above the floor", async function () {
    const start = new Map([["AAPL", 200n * X18]]);
    const a = new RandomWalkPriceInput(start, 50, 7);
    const b = new RandomWalkPriceInput(start, 50, 7);
    let last = 200n * X18;
    for (let i = 0; i < 50; i++) {
      const pa = (await a.prices(["AAPL"])).get("AAPL")!;
      expect((await b.prices(["AAPL"])).get("AAPL")).to.equal(pa);
      const moveBps = ((pa > last ? pa - last : last - pa) * 10_000n) / last;
      expect(moveBps <= 50n).to.equal(true);
      last = pa;
    }
    const crash = new RandomWalkPriceInput(new Map([["X", 100n]]), 1_000, 1);
    for (let i = 0; i < 200; i++) expect((await crash.prices(["X"])).get("X")! >= 1n).to.equal(true);
    expect(await rejection(a.prices(["TSLA"]))).to.equal("random walk has no start price for TSLA");
  });

  it("reads prices from a JSON file on every call", async function () {
    const file = join(mkdtempSync(join(tmpdir(), "sundial-prices-")), "prices.json");
    writeFileSync(file, JSON.stringify({ AAPL: "231.5", SPY: 660 }));
    const input = new FilePriceInput(file);
    expect(await input.prices(["AAPL", "SPY"])).to.deep.equal(
      new Map([
        ["AAPL", 2315n * 10n ** 17n],
        ["SPY", 660n * X18],
      ]),
    );
    writeFileSync(file, JSON.stringify({ AAPL: "0" }));
    expect(await rejection(input.prices(["AAPL"]))).to.equal(`${file}: price of AAPL must be positive`);
    expect(await rejection(input.prices(["SPY"]))).to.equal(`${file} has no price for SPY`);
  });
});

describe("oracle keeper updates", function () {
  const price: MarketPrice = {
    symbol: "AAPL",
    marketId: "0x" + "01".repeat(32),
    priceX18: 201n * X18,
    dataStreamsFeedIds: {
      extendedHours: "0x000b" + "ab".repeat(30),
      overnightHours: "0x000b" + "cd".repeat(30),
    },
    sessions: {
      REGULAR: ["chainlinkFeed", "pyth"],
      PRE_MARKET: ["dataStreams", "pyth"],
      OVERNIGHT: ["dataStreams", "pyth"],
      CLOSED: ["signedQuotes"],
    },
  };
  const SOURCES = {
    regularHours: "0x000000000000000000000000000000000000d501",
    extendedHours: "0x000000000000000000000000000000000000d502",
    overnightHours: "0x000000000000000000000000000000000000d503",
  };

  it("signs Data Streams v11 reports as the local DON, once per feed per second", async function () {
    const don = new SigningKey(Wallet.createRandom().privateKey);
    const builder = new LocalDonReports(SOURCES, don);
    const [req] = await builder.build([price], 1_800_000_000, Session.OVERNIGHT);
    expect(req!.to).to.equal(SOURCES.overnightHours);
    const source = new Interface(["function submitReport(bytes signedReport)"]);
    const [signed] = source.decodeFunctionData("submitReport", req!.data) as unknown as [string];
    const coder = AbiCoder.defaultAbiCoder();
    const [context, reportData, rs, ss, rawVs] = coder.decode(
      ["bytes32[3]", "bytes", "bytes32[]", "bytes32[]", "bytes32"],
      signed,
    ) as unknown as [string[], string, string[], string[], string];
    const digest = keccak256(concat([keccak256(reportData), ...context]));
    const v = 27 + parseInt(rawVs.slice(2, 4), 16);
    const signer = recoverAddress(digest, Signature.from({ r: rs[0]!, s: ss[0]!, v }));
    expect(signer).to.equal(new Wallet(don.privateKey).address);
    const fields = coder.decode(
      [
        "tuple(bytes32,uint32,uint32,uint192,uint192,uint32,int192,uint64,int192,int192,int192,int192,int192,uint32)",
      ],
      reportData,
    )[0] as unknown as unknown[];
    expect(fields[0]).to.equal(price.dataStreamsFeedIds!.overnightHours);
    expect(fields[6]).to.equal(price.priceX18);
    expect(fields[13]).to.equal(BigInt(MARKET_STATUS[Session.OVERNIGHT]));
    expect(await builder.build([price], 1_800_000_000, Session.OVERNIGHT)).to.deep.equal([]);
    expect(await builder.build([price], 1_800_000_001, Session.OVERNIGHT)).to.have.length(1);
  });

  it("pushes only the stream of the session's kind, and only when the session reads Data Streams", async function () {
    const builder = new LocalDonReports(SOURCES, new SigningKey(Wallet.createRandom().privateKey));
    const [pre] = await builder.build([price], 1_800_000_000, Session.PRE_MARKET);
    expect(pre!.to).to.equal(SOURCES.extendedHours);
    const [signed] = new Interface(["function submitReport(bytes signedReport)"]).decodeFunctionData(
      "submitReport",
      pre!.data,
    ) as unknown as [string];
    const reportData = AbiCoder.defaultAbiCoder().decode(["bytes32[3]", "bytes"], signed)[1] as string;
    expect(reportData.slice(0, 66)).to.equal(price.dataStreamsFeedIds!.extendedHours);
    // REGULAR reads the Chainlink feed and Pyth, CLOSED the signed quotes: no report to push.
    expect(await builder.build([price], 1_800_000_001, Session.REGULAR)).to.deep.equal([]);
    expect(await builder.build([price], 1_800_000_002, Session.CLOSED)).to.deep.equal([]);
    // POST_MARKET is not listed for this market: nothing, although it is an extended-hours session.
    expect(await builder.build([price], 1_800_000_003, Session.POST_MARKET)).to.deep.equal([]);
  });

  it("signs EIP-712 quotes as a publisher of the signed-quote source", async function () {
    const publisher = new Wallet(Wallet.createRandom().privateKey);
    const source = "0x000000000000000000000000000000000000c0c0";
    const builder = new SignedQuoteUpdates(source, 31337n, publisher);
    const [req] = await builder.build([price], 1_800_000_000);
    const iface = new Interface([
      "function submitQuotes((bytes32 marketId,uint256 priceX18,uint256 observedAt,address publisher)[] quotes, bytes[] signatures)",
    ]);
    const [quotes, signatures] = iface.decodeFunctionData("submitQuotes", req!.data) as unknown as [
      { marketId: string; priceX18: bigint; observedAt: bigint; publisher: string }[],
      string[],
    ];
    const quote = quotes[0]!;
    const recovered = verifyTypedData(
      { name: "Sundial Signed Quotes", version: "1", chainId: 31337n, verifyingContract: source },
      {
        PriceQuote: [
          { name: "marketId", type: "bytes32" },
          { name: "priceX18", type: "uint256" },
          { name: "observedAt", type: "uint256" },
          { name: "publisher", type: "address" },
        ],
      },
      {
        marketId: quote.marketId,
        priceX18: quote.priceX18,
        observedAt: quote.observedAt,
        publisher: quote.publisher,
      },
      signatures[0]!,
    );
    expect(recovered).to.equal(publisher.address);
    expect(await builder.build([price], 1_800_000_000)).to.deep.equal([]);
  });

  it("validates its configuration", function () {
    const base = ["--rpc-url", "http://127.0.0.1:8545"];
    expect(parseOracleConfig(base, {})).to.deep.include({
      mode: "local",
      priceInput: "random",
      intervalMs: 5000,
    });
    expect(() => parseOracleConfig([...base, "--price-input", "file"], {})).to.throw(
      ConfigError,
      /needs --price-file/,
    );
    expect(() => parseOracleConfig([...base, "--mode", "production"], {})).to.throw(
      ConfigError,
      /not a random walk/,
    );
  });
});
