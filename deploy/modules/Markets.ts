import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import {
  DATA_STREAM_KINDS,
  DeploymentConfigError,
  SESSION_NAMES,
  dataStreamKindOf,
  type DeploymentConfig,
  type MarketSpec,
  type SourceKind,
} from "../config.js";
import type { Session } from "../../sdk/calendar.js";
import { defaultCircuitBreakerParams, defaultOracleMarketParams } from "../defaults.js";
import type { buildClearinghouseModule } from "./Clearinghouse.js";
import { DATA_STREAMS_SOURCE_KEYS, type buildOracleModule } from "./Oracle.js";
import { ROLES } from "./roles.js";

/**
 * Market listing from the network's parameter file (SPEC section 9, "markets are data"). For each
 * market: the feeds on each price source, `OracleAdapter.listMarket` with the SPEC defaults at the
 * market's band tier and its initial reference price, the sources of each session (a session that
 * names `dataStreams` gets the Data Streams source of its stream kind: regular hours for REGULAR,
 * extended hours for PRE_MARKET and POST_MARKET, overnight hours for OVERNIGHT), and
 * `MarketRegistry.listMarket` with its sizes, funding, circuit breaker and per-session risk
 * parameters. The deployer holds `MARKET_LISTER_ROLE` on both for the listing only; `Handover`
 * renounces it.
 */
export function buildMarketsModule(
  config: DeploymentConfig,
  oracleModule: ReturnType<typeof buildOracleModule>,
  clearinghouseModule: ReturnType<typeof buildClearinghouseModule>,
) {
  return buildModule("Markets", (m) => {
    const oracle = m.useModule(oracleModule);
    const { marketRegistry } = m.useModule(clearinghouseModule);
    const deployer = m.getAccount(0);
    const { oracleAdapter } = oracle;
    const oracleLister = m.call(oracleAdapter, "grantRole", [ROLES.MARKET_LISTER, deployer], {
      id: "OracleAdapter_grantListerToDeployer",
    });
    const registryLister = m.call(marketRegistry, "grantRole", [ROLES.MARKET_LISTER, deployer], {
      id: "MarketRegistry_grantListerToDeployer",
    });
    const dataStreamsSource = (session: Session) => {
      const streamKind = dataStreamKindOf(session);
      // Unreachable for a validated configuration: only CLOSED has no stream, and it reads signed quotes.
      if (streamKind === undefined) {
        throw new DeploymentConfigError([`session ${SESSION_NAMES[session]} has no Data Streams source`]);
      }
      return oracle[DATA_STREAMS_SOURCE_KEYS[streamKind]];
    };
    const sourceOf = (kind: SourceKind, session: Session) =>
      kind === "chainlinkFeed"
        ? oracle.chainlinkFeedSource
        : kind === "dataStreams"
          ? dataStreamsSource(session)
          : kind === "pyth"
            ? oracle.pythSource
            : oracle.signedQuoteSource;
    for (const market of config.markets) {
      const s = market.symbol;
      if (market.chainlinkFeed !== undefined) {
        m.call(oracle.chainlinkFeedSource, "setFeed", [market.marketId, market.chainlinkFeed], {
          id: `${s}_chainlinkFeed`,
        });
      }
      if (market.pyth !== undefined) {
        m.call(
          oracle.pythSource,
          "setPriceFeed",
          [market.marketId, market.pyth.priceId, market.pyth.maxConfBps],
          {
            id: `${s}_pythFeed`,
          },
        );
      }
      for (const streamKind of DATA_STREAM_KINDS) {
        const streamId = market.dataStreams?.[streamKind];
        if (streamId === undefined) continue;
        m.call(oracle[DATA_STREAMS_SOURCE_KEYS[streamKind]], "setFeed", [market.marketId, streamId], {
          id: `${s}_dataStreams_${streamKind}`,
        });
      }
      m.call(oracle.signedQuoteSource, "setMinQuotes", [market.marketId, market.minQuotes], {
        id: `${s}_minQuotes`,
      });
      const listed = m.call(
        oracleAdapter,
        "listMarket",
        [market.marketId, defaultOracleMarketParams(market.bandTierBps), market.initialPriceX18],
        { id: `${s}_oracleListing`, after: [oracleLister] },
      );
      for (const [session, { primary, secondary }] of market.sessions) {
        m.call(
          oracleAdapter,
          "setSessionSources",
          [
            market.marketId,
            session,
            sourceOf(primary, session),
            secondary === undefined ? zero : sourceOf(secondary, session),
          ],
          { id: `${s}_sources_${SESSION_NAMES[session]}`, after: [listed] },
        );
      }
      m.call(
        marketRegistry,
        "listMarket",
        [market.marketId, registryConfig(market), market.risk.map(struct)],
        {
          id: `${s}_registryListing`,
          after: [listed, registryLister],
        },
      );
    }
    return { oracleAdapter, marketRegistry };
  });
}

const zero = "0x0000000000000000000000000000000000000000";

/** The registry's `MarketConfig` for a market (`listed`/`status` are set by the registry itself). */
function registryConfig(market: MarketSpec) {
  return {
    listed: false,
    status: 0,
    tickSizeX18: market.tickSizeX18,
    stepSizeX18: market.stepSizeX18,
    minOrderSizeX18: market.minOrderSizeX18,
    funding: struct(market.funding),
    breaker: defaultCircuitBreakerParams(),
  };
}

/** A struct argument as Ignition takes it: a plain record of its fields. */
function struct(value: object): Record<string, bigint | number> {
  return Object.fromEntries(Object.entries(value)) as Record<string, bigint | number>;
}
