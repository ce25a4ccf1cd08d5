import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ZeroAddress } from "ethers";
import type { DataStreamKind, DeploymentConfig } from "../config.js";
import FoundationModule from "./Foundation.js";

/** The module result (and deployment record) key of the Data Streams source of each stream kind. */
export const DATA_STREAMS_SOURCE_KEYS = {
  regularHours: "dataStreamsRegularHours",
  extendedHours: "dataStreamsExtendedHours",
  overnightHours: "dataStreamsOvernightHours",
} as const satisfies Record<DataStreamKind, string>;

/**
 * The oracle (SPEC section 3): the L2 sequencer guard (when the chain has a sequencer feed), one
 * price source per real oracle — Chainlink Data Feeds, Pyth, signed quotes, and Chainlink Data
 * Streams once per stream kind (regular, extended and overnight hours: a source maps a market to one
 * stream, and Chainlink's 24/5 equities publish one stream per trading phase) — and the
 * `OracleAdapter`, which creates its `OracleCorporateActions`. The deployer administers every
 * contract until `Handover`; the markets' feeds are set by `Markets`. Addresses come from the
 * resolved network configuration (`deploy/config.ts`).
 */
export function buildOracleModule(config: DeploymentConfig) {
  return buildModule("Oracle", (m) => {
    const { timelock, calendar } = m.useModule(FoundationModule);
    const deployer = m.getAccount(0);
    const feed = config.oracle.sequencerUptimeFeed;
    const sequencerGuard = feed === null ? undefined : m.contract("SequencerUptimeGuard", [feed, deployer]);
    const dataStreamsSource = (id: string) =>
      m.contract("ChainlinkDataStreamsSource", [config.oracle.dataStreamsVerifierProxy, calendar, deployer], {
        id,
      });
    const dataStreamsRegularHours = dataStreamsSource("ChainlinkDataStreamsSource_RegularHours");
    const dataStreamsExtendedHours = dataStreamsSource("ChainlinkDataStreamsSource_ExtendedHours");
    const dataStreamsOvernightHours = dataStreamsSource("ChainlinkDataStreamsSource_OvernightHours");
    const chainlinkFeedSource = m.contract("ChainlinkFeedSource", [deployer]);
    const pythSource = m.contract("PythSource", [config.oracle.pyth, deployer]);
    const quoteGuardian = config.roles.quoteGuardian === "TIMELOCK" ? timelock : config.roles.quoteGuardian;
    const signedQuoteSource = m.contract("SignedQuoteSource", [deployer, quoteGuardian]);
    config.oracle.quotePublishers.forEach((publisher, i) =>
      m.call(signedQuoteSource, "addPublisher", [publisher], { id: `SignedQuoteSource_addPublisher_${i}` }),
    );
    const oracleAdapter = m.contract("OracleAdapter", [calendar, sequencerGuard ?? ZeroAddress, deployer]);
    const corporateActions = m.contractAt(
      "OracleCorporateActions",
      m.staticCall(oracleAdapter, "corporateActions"),
    );
    return {
      ...(sequencerGuard === undefined ? {} : { sequencerGuard }),
      dataStreamsRegularHours,
      dataStreamsExtendedHours,
      dataStreamsOvernightHours,
      chainlinkFeedSource,
      pythSource,
      signedQuoteSource,
      oracleAdapter,
      corporateActions,
    };
  });
}
