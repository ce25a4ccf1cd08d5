import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { MarketSpec } from "../config.js";

/** Chainlink's equity feeds report 8 decimals. */
export const MOCK_FEED_DECIMALS = 8;
/** Pyth's `MockPyth(validTimePeriod, singleUpdateFee)`: 60 s validity, free updates. */
const MOCK_PYTH_VALID_SECONDS = 60n;

/**
 * The oracles of a local network: Pyth's `MockPyth`, one Chainlink `MockV3Aggregator` per market
 * (at its initial price) and one for the L2 sequencer uptime feed (up since t = 1, so the guard's
 * grace period has long passed), and our `MockVerifierProxy` for Data Streams, which verifies
 * reports signed by `donSigner`. Also the collateral, a 6-decimal `MockUSDC`.
 */
export function buildLocalMocksModule(markets: readonly MarketSpec[]) {
  return buildModule("LocalMocks", (m) => {
    const usdc = m.contract("MockUSDC");
    const pyth = m.contract("MockPyth", [MOCK_PYTH_VALID_SECONDS, 0n]);
    const verifierProxy = m.contract("MockVerifierProxy", [m.getParameter<string>("donSigner")]);
    const sequencerUptimeFeed = m.contract("MockV3Aggregator", [0, 0n], { id: "SequencerUptimeFeed" });
    m.call(sequencerUptimeFeed, "updateRoundData", [1n, 0n, 1n, 1n], { id: "SequencerUp" });
    const feeds = markets.map((market) =>
      m.contract("MockV3Aggregator", [MOCK_FEED_DECIMALS, market.initialPriceX18 / 10n ** 10n], {
        id: `${market.symbol}_ChainlinkFeed`,
      }),
    );
    return {
      usdc,
      pyth,
      verifierProxy,
      sequencerUptimeFeed,
      ...Object.fromEntries(feeds.map((f, i) => [`feed${i}`, f])),
    };
  });
}
