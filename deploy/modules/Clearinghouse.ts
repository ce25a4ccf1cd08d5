import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { DeploymentConfig } from "../config.js";
import FoundationModule from "./Foundation.js";
import type { buildOracleModule } from "./Oracle.js";

/**
 * The trading core (SPEC sections 5, 6 and 7): the `MarketRegistry` over the oracle adapter, the
 * `Clearinghouse` over the vault, the adapter and the registry, and the `LiquidationEngine` over the
 * clearinghouse. The guardian (trading / liquidation pause only) is set at construction; the
 * deployer administers them until `Handover`.
 */
export function buildClearinghouseModule(
  config: DeploymentConfig,
  oracleModule: ReturnType<typeof buildOracleModule>,
) {
  return buildModule("Clearinghouse", (m) => {
    const { timelock, vault } = m.useModule(FoundationModule);
    const { oracleAdapter } = m.useModule(oracleModule);
    const deployer = m.getAccount(0);
    const guardian = config.roles.guardian === "TIMELOCK" ? timelock : config.roles.guardian;
    const marketRegistry = m.contract("MarketRegistry", [oracleAdapter, deployer]);
    const clearinghouse = m.contract("Clearinghouse", [
      vault,
      oracleAdapter,
      marketRegistry,
      deployer,
      guardian,
    ]);
    const liquidationEngine = m.contract("LiquidationEngine", [clearinghouse, deployer, guardian]);
    return { marketRegistry, clearinghouse, liquidationEngine };
  });
}
