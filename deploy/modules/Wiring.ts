import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { DeploymentConfig } from "../config.js";
import type { buildClearinghouseModule } from "./Clearinghouse.js";
import FoundationModule from "./Foundation.js";
import type { buildOracleModule } from "./Oracle.js";
import { ROLES } from "./roles.js";

/**
 * Connects the contracts and hands out the operational roles (SPEC section 8):
 * - the vault's margin authority becomes the clearinghouse (once, forever);
 * - the clearinghouse reports its fills to the oracle (`TRADE_REPORTER_ROLE`);
 * - the matcher address may settle batches (`MATCHER_ROLE`);
 * - the liquidation engine moves risk in the clearinghouse (`LIQUIDATOR_ROLE`) and applies penalties
 *   and bad-debt cover in the vault (`LIQUIDATION_ROLE`);
 * - the timelock lists markets (`MARKET_LISTER_ROLE` on the adapter and the registry) and schedules
 *   corporate actions (`CORPORATE_ACTIONS_ROLE`);
 * - the risk manager changes parameters inside the hard bounds (`RISK_MANAGER_ROLE` on both).
 * - with a MOCK collateral and `liquidation.backstopDeposit`, the backstop account of the liquidation
 *   engine receives that many tokens of collateral (minted), so that it can absorb positions.
 * Guardians were set at construction (vault, clearinghouse, signed-quote source).
 */
export function buildWiringModule(
  config: DeploymentConfig,
  oracleModule: ReturnType<typeof buildOracleModule>,
  clearinghouseModule: ReturnType<typeof buildClearinghouseModule>,
) {
  return buildModule("Wiring", (m) => {
    const { timelock, vault } = m.useModule(FoundationModule);
    const { oracleAdapter, corporateActions } = m.useModule(oracleModule);
    const { marketRegistry, clearinghouse, liquidationEngine } = m.useModule(clearinghouseModule);
    const riskManager = config.roles.riskManager === "TIMELOCK" ? timelock : config.roles.riskManager;
    const matcher = config.roles.matcher === "TIMELOCK" ? timelock : config.roles.matcher;
    m.call(vault, "setMarginAuthority", [clearinghouse]);
    m.call(oracleAdapter, "grantRole", [ROLES.TRADE_REPORTER, clearinghouse], {
      id: "OracleAdapter_tradeReporter",
    });
    m.call(clearinghouse, "grantRole", [ROLES.MATCHER, matcher], { id: "Clearinghouse_matcher" });
    m.call(clearinghouse, "grantRole", [ROLES.LIQUIDATOR, liquidationEngine], {
      id: "Clearinghouse_liquidator",
    });
    m.call(vault, "grantRole", [ROLES.LIQUIDATION, liquidationEngine], { id: "CollateralVault_liquidation" });
    m.call(corporateActions, "grantRole", [ROLES.CORPORATE_ACTIONS, timelock], {
      id: "OracleCorporateActions_corporateActions",
    });
    m.call(oracleAdapter, "grantRole", [ROLES.MARKET_LISTER, timelock], { id: "OracleAdapter_lister" });
    m.call(marketRegistry, "grantRole", [ROLES.MARKET_LISTER, timelock], { id: "MarketRegistry_lister" });
    m.call(oracleAdapter, "grantRole", [ROLES.RISK_MANAGER, riskManager], {
      id: "OracleAdapter_riskManager",
    });
    m.call(marketRegistry, "grantRole", [ROLES.RISK_MANAGER, riskManager], {
      id: "MarketRegistry_riskManager",
    });
    if (config.backstopDepositTokens > 0n) {
      const token = m.contractAt("MockUSDC", m.staticCall(vault, "token"), { id: "BackstopToken" });
      const amount = config.backstopDepositTokens * 10n ** 6n; // MockUSDC has 6 decimals
      const minted = m.call(token, "mint", [m.getAccount(0), amount], { id: "Backstop_mint" });
      const approved = m.call(token, "approve", [vault, amount], { id: "Backstop_approve", after: [minted] });
      m.call(vault, "depositFor", [m.staticCall(liquidationEngine, "backstopAccount"), amount], {
        id: "Backstop_deposit",
        after: [approved],
      });
    }
    return { clearinghouse };
  });
}
