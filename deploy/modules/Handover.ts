import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { buildClearinghouseModule } from "./Clearinghouse.js";
import FoundationModule from "./Foundation.js";
import type { buildMarketsModule } from "./Markets.js";
import type { buildOracleModule } from "./Oracle.js";
import { ROLES } from "./roles.js";
import type { buildWiringModule } from "./Wiring.js";

/**
 * The last step of every deployment: after the markets are listed and the contracts wired, the
 * timelock receives the admin role of every contract the deployer administered, and the deployer
 * renounces every role it held (admin everywhere, market lister on the adapter and the registry).
 * After this, no single key administers anything.
 */
export function buildHandoverModule(
  oracleModule: ReturnType<typeof buildOracleModule>,
  clearinghouseModule: ReturnType<typeof buildClearinghouseModule>,
  marketsModule: ReturnType<typeof buildMarketsModule>,
  wiringModule: ReturnType<typeof buildWiringModule>,
) {
  return buildModule("Handover", (m) => {
    const foundation = m.useModule(FoundationModule);
    const oracle = m.useModule(oracleModule);
    const core = m.useModule(clearinghouseModule);
    m.useModule(marketsModule);
    m.useModule(wiringModule);
    const { timelock } = foundation;
    const deployer = m.getAccount(0);
    const setupDone = [marketsModule, wiringModule];
    for (const [name, contract] of [
      ["OracleAdapter", oracle.oracleAdapter],
      ["MarketRegistry", core.marketRegistry],
    ] as const) {
      m.call(contract, "renounceRole", [ROLES.MARKET_LISTER, deployer], {
        id: `${name}_renounceLister`,
        after: setupDone,
      });
    }
    const administered = [
      ["InsuranceFund", foundation.insuranceFund],
      ["CollateralVault", foundation.vault],
      ["ChainlinkDataStreamsSource_RegularHours", oracle.dataStreamsRegularHours],
      ["ChainlinkDataStreamsSource_ExtendedHours", oracle.dataStreamsExtendedHours],
      ["ChainlinkDataStreamsSource_OvernightHours", oracle.dataStreamsOvernightHours],
      ["ChainlinkFeedSource", oracle.chainlinkFeedSource],
      ["PythSource", oracle.pythSource],
      ["SignedQuoteSource", oracle.signedQuoteSource],
      ["OracleAdapter", oracle.oracleAdapter],
      ["OracleCorporateActions", oracle.corporateActions],
      ["MarketRegistry", core.marketRegistry],
      ["Clearinghouse", core.clearinghouse],
      ["LiquidationEngine", core.liquidationEngine],
    ] as const;
    const guard = "sequencerGuard" in oracle ? oracle.sequencerGuard : undefined;
    const all =
      guard === undefined ? administered : ([...administered, ["SequencerUptimeGuard", guard]] as const);
    for (const [name, contract] of all) {
      const granted = m.call(contract, "grantRole", [ROLES.DEFAULT_ADMIN, timelock], {
        id: `${name}_grantAdmin`,
        after: setupDone,
      });
      m.call(contract, "renounceRole", [ROLES.DEFAULT_ADMIN, deployer], {
        id: `${name}_renounceAdmin`,
        after: [granted],
      });
    }
    return { timelock };
  });
}
