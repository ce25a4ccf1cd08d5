import { expect } from "chai";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import type { BaseWallet } from "ethers";
import { loadCalendarFile, Session } from "../../sdk/calendar.js";
import {
  ChainlinkDataStreamsSource__factory,
  ChainlinkFeedSource__factory,
  MarketCalendar__factory,
  MockPyth__factory,
  MockV3Aggregator__factory,
  MockVerifierProxy__factory,
  OracleAdapter__factory,
  PythSource__factory,
  SequencerUptimeGuard__factory,
  SignedQuoteSource__factory,
  type ChainlinkDataStreamsSource,
  type MockPyth,
  type MockV3Aggregator,
  type OracleAdapter,
  type SignedQuoteSource,
} from "../../typechain-types/index.js";

type MarketParamsStruct = Parameters<OracleAdapter["listMarket"]>[1];

/**
 * Gas of the clearinghouse's one read, `priceState`, with the REAL source contracts over the
 * packages' mocks, in production wiring: Chainlink Data Streams v11 (`ChainlinkDataStreamsSource`,
 * DON-signed reports verified by `MockVerifierProxy`) primary and Chainlink Data Feeds
 * (`ChainlinkFeedSource` over `MockV3Aggregator`) secondary in REGULAR hours; `SignedQuoteSource`
 * (three publishers, quorum 3) while CLOSED; the real `MarketCalendar` (NYSE data) and the real
 * `SequencerUptimeGuard` over a `MockV3Aggregator` uptime feed. Measured like
 * `oracle.gas.test.ts`: the view sent as a transaction, execution gas = receipt gas - 21,000 -
 * calldata gas, every slot and account cold. Compared with `oracle.integration.gas.json`;
 * `UPDATE_GAS_SNAPSHOT=1` rewrites it. Keys (DON, publishers) are random per run: signatures are not
 * part of what is measured.
 */
const { ethers, networkHelpers } = await network.create({
  override: { initialDate: "2026-11-15T00:00:00Z" },
});

const SNAPSHOT = new URL("./oracle.integration.gas.json", import.meta.url);
const AAPL = ethers.encodeBytes32String("AAPL-USD");
const FEED_AAPL = "0x000b1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7";
const PYTH_AAPL = ethers.id("Equity.US.AAPL/USD");
const E18 = 10n ** 18n;
const E10 = 10n ** 10n;
const STATUS_REGULAR = 2;
const STATUS_POST = 3;
const STATE_OPEN = 0n;
const STATE_CLOSED = 1n;
const ORIGIN_PRIMARY = 0n;
const ORIGIN_INTERNAL_QUOTE_BLEND = 3n;
const REPORT_V11 =
  "tuple(bytes32,uint32,uint32,uint192,uint192,uint32,int192,uint64,int192,int192,int192,int192,int192,uint32)";

const utc = (iso: string): number => Date.parse(iso) / 1000;

async function deployRealSourcesFixture() {
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("no signer");
  const don = ethers.Wallet.createRandom();
  const publishers = [
    ethers.Wallet.createRandom(),
    ethers.Wallet.createRandom(),
    ethers.Wallet.createRandom(),
  ];
  const { days, kinds } = (await loadCalendarFile()).constructorArgs();
  await networkHelpers.time.increaseTo(utc("2026-11-16T15:00:00Z")); // Mon 10:00 EST
  const now = await networkHelpers.time.latest();

  const calendar = await new MarketCalendar__factory(admin).deploy(admin.address, days, kinds);
  const uptimeFeed = await new MockV3Aggregator__factory(admin).deploy(0, 0);
  await uptimeFeed.updateRoundData(1, 0, now, now - 86_400); // up for a day: past the grace period
  const guard = await new SequencerUptimeGuard__factory(admin).deploy(uptimeFeed, admin.address);
  const adapter = await new OracleAdapter__factory(admin).deploy(calendar, guard, admin.address);

  const verifier = await new MockVerifierProxy__factory(admin).deploy(don.address);
  const streams = await new ChainlinkDataStreamsSource__factory(admin).deploy(
    verifier,
    calendar,
    admin.address,
  );
  await streams.setFeed(AAPL, FEED_AAPL);
  const aggregator = await new MockV3Aggregator__factory(admin).deploy(8, 0);
  const feeds = await new ChainlinkFeedSource__factory(admin).deploy(admin.address);
  await feeds.setFeed(AAPL, aggregator);
  const pyth = await new MockPyth__factory(admin).deploy(60, 0);
  const pythSource = await new PythSource__factory(admin).deploy(pyth, admin.address);
  await pythSource.setPriceFeed(AAPL, PYTH_AAPL, 50);
  const quotes = await new SignedQuoteSource__factory(admin).deploy(admin.address, ethers.ZeroAddress);
  for (const publisher of publishers) await quotes.addPublisher(publisher.address);
  await quotes.setMinQuotes(AAPL, 3);

  await adapter.grantRole(await adapter.MARKET_LISTER_ROLE(), admin.address);
  await adapter.grantRole(await adapter.RISK_MANAGER_ROLE(), admin.address);
  const d = await adapter.defaultMarketParams(500);
  const params: MarketParamsStruct = {
    bandTierBps: d.bandTierBps,
    bandCapBps: d.bandCapBps,
    maxDeviationBps: d.maxDeviationBps,
    maxEmaStepBps: d.maxEmaStepBps,
    quoteWeightBps: 2500n, // blend signed weekend quotes at 25 %
    bandHorizonSec: d.bandHorizonSec,
    emaTauSec: d.emaTauSec,
    emaMaxDtSec: d.emaMaxDtSec,
    reopeningWindowSec: d.reopeningWindowSec,
    minTradeNotionalX18: d.minTradeNotionalX18,
  };
  await adapter.listMarket(AAPL, params, 200n * E18);
  await adapter.setSessionSources(AAPL, Session.REGULAR, streams, feeds);
  for (const session of [Session.PRE_MARKET, Session.POST_MARKET, Session.OVERNIGHT]) {
    await adapter.setSessionSources(AAPL, session, streams, pythSource);
  }
  await adapter.setSessionSources(AAPL, Session.CLOSED, quotes, ethers.ZeroAddress);
  return { adapter, streams, aggregator, pyth, quotes, don, publishers };
}

function calldataGas(data: string): number {
  return ethers.getBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

async function executionGas(to: OracleAdapter, data: string): Promise<number> {
  const [signer] = await ethers.getSigners();
  if (signer === undefined) throw new Error("no signer");
  const receipt = await (await signer.sendTransaction({ to: await to.getAddress(), data })).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed) - 21_000 - calldataGas(data);
}

/** A DON-signed v11 report observed at the latest block, pushed through the real verifier. */
async function pushStreams(
  streams: ChainlinkDataStreamsSource,
  don: BaseWallet,
  midX18: bigint,
  marketStatus: number,
): Promise<void> {
  const now = await networkHelpers.time.latest();
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const reportData = coder.encode(
    [REPORT_V11],
    [
      [
        FEED_AAPL,
        now - 10,
        now,
        0n,
        0n,
        now + 86_400,
        midX18,
        BigInt(now) * 10n ** 9n,
        midX18 - E18 / 100n,
        1_000n * E18,
        midX18 + E18 / 100n,
        1_000n * E18,
        midX18,
        marketStatus,
      ],
    ],
  );
  const context = [ethers.zeroPadValue("0xc0ffee", 32), ethers.zeroPadValue("0x07", 32), ethers.ZeroHash];
  const digest = ethers.keccak256(ethers.concat([ethers.keccak256(reportData), ...context]));
  const signature = don.signingKey.sign(digest);
  // Chainlink packs each signature's `v - 27` into one byte of `rawVs`.
  const rawVs = ethers.zeroPadBytes(ethers.toBeHex(signature.v - 27, 1), 32);
  await streams.submitReport(
    coder.encode(
      ["bytes32[3]", "bytes", "bytes32[]", "bytes32[]", "bytes32"],
      [context, reportData, [signature.r], [signature.s], rawVs],
    ),
  );
}

async function pushPyth(pyth: MockPyth, priceX18: bigint): Promise<void> {
  const now = await networkHelpers.time.latest();
  const price = priceX18 / E10; // expo -8
  const conf = price / 5_000n; // 2 bps
  const update = await pyth.createPriceFeedUpdateData(PYTH_AAPL, price, conf, -8, price, conf, now, now - 1);
  await pyth.updatePriceFeeds([update]);
}

async function pushQuotes(
  quotes: SignedQuoteSource,
  publishers: BaseWallet[],
  priceX18: bigint,
): Promise<void> {
  const observedAt = await networkHelpers.time.latest();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: "Sundial Signed Quotes",
    version: "1",
    chainId,
    verifyingContract: await quotes.getAddress(),
  };
  const types = {
    PriceQuote: [
      { name: "marketId", type: "bytes32" },
      { name: "priceX18", type: "uint256" },
      { name: "observedAt", type: "uint256" },
      { name: "publisher", type: "address" },
    ],
  };
  const signed = await Promise.all(
    publishers.map(async (publisher, i) => {
      const quote = {
        marketId: AAPL,
        priceX18: priceX18 + BigInt(i) * E18,
        observedAt,
        publisher: publisher.address,
      };
      return { quote, signature: await publisher.signTypedData(domain, types, quote) };
    }),
  );
  await quotes.submitQuotes(
    signed.map(({ quote }) => quote),
    signed.map(({ signature }) => signature),
  );
}

async function pushRegular(
  streams: ChainlinkDataStreamsSource,
  aggregator: MockV3Aggregator,
  don: BaseWallet,
  priceX18: bigint,
): Promise<void> {
  await pushStreams(streams, don, priceX18, STATUS_REGULAR);
  await aggregator.updateAnswer((priceX18 + E18 / 20n) / E10);
}

describe("oracle adapter gas with the real price sources", function () {
  it("measures priceState OPEN (Data Streams + Data Feeds) and CLOSED (signed quotes) and matches the snapshot", async function () {
    const { adapter, streams, aggregator, pyth, quotes, don, publishers } =
      await networkHelpers.loadFixture(deployRealSourcesFixture);
    const measured: Record<string, number> = {};
    const state = adapter.interface.encodeFunctionData("priceState", [AAPL]);

    // Monday REGULAR: the listing reopens on the first prints, OPEN after the 5-minute window.
    await networkHelpers.time.increaseTo(utc("2026-11-16T15:05:00Z"));
    await pushRegular(streams, aggregator, don, 200n * E18);
    await adapter.poke(AAPL);
    await networkHelpers.time.increaseTo(utc("2026-11-16T15:11:00Z"));
    await pushRegular(streams, aggregator, don, 200n * E18);
    await adapter.poke(AAPL);
    await networkHelpers.time.increaseTo(utc("2026-11-16T15:12:00Z"));
    await pushRegular(streams, aggregator, don, 201n * E18);
    const open = await adapter.priceState(AAPL);
    expect([open.state, open.origin, open.indexPriceX18]).to.deep.equal([
      STATE_OPEN,
      ORIGIN_PRIMARY,
      201n * E18,
    ]);
    measured["priceState: OPEN, real sources (Data Streams + Data Feeds)"] = await executionGas(
      adapter,
      state,
    );

    // Friday 19:59 EST: the last post-market prints; Saturday: CLOSED, signed quotes blended.
    await networkHelpers.time.increaseTo(utc("2026-11-21T00:59:00Z"));
    await pushStreams(streams, don, 202n * E18, STATUS_POST);
    await pushPyth(pyth, 202n * E18);
    await adapter.poke(AAPL);
    await networkHelpers.time.increaseTo(utc("2026-11-21T17:00:00Z"));
    await adapter.poke(AAPL);
    await networkHelpers.time.increaseTo(utc("2026-11-21T17:10:00Z"));
    await pushQuotes(quotes, publishers, 203n * E18);
    const closed = await adapter.priceState(AAPL);
    expect([closed.state, closed.origin, closed.anchorPriceX18]).to.deep.equal([
      STATE_CLOSED,
      ORIGIN_INTERNAL_QUOTE_BLEND,
      202n * E18,
    ]);
    measured["priceState: CLOSED, real sources (signed quotes, 3 publishers)"] = await executionGas(
      adapter,
      state,
    );

    console.log(
      Object.entries(measured)
        .map(([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`)
        .join("\n"),
    );
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    expect(measured).to.deep.equal(JSON.parse(await readFile(SNAPSHOT, "utf8")));
  });
});
