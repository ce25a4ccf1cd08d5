import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { DeploymentConfig } from "../config.js";
import { buildClearinghouseModule } from "./Clearinghouse.js";
import FoundationModule from "./Foundation.js";
import { buildHandoverModule } from "./Handover.js";
import { buildMarketsModule } from "./Markets.js";
import { buildOracleModule } from "./Oracle.js";
import { buildWiringModule } from "./Wiring.js";

/**
 * The whole system from a resolved network configuration (`deploy/config.ts`):
 * Governance → Foundation → Oracle → Clearinghouse → Markets → Wiring → Handover.
 * Governance and Foundation take their Ignition parameters from `sundialParameters(config)`.
 */
export function buildSundialModule(config: DeploymentConfig) {
  const oracle = buildOracleModule(config);
  const clearinghouse = buildClearinghouseModule(config, oracle);
  const markets = buildMarketsModule(config, oracle, clearinghouse);
  const wiring = buildWiringModule(config, oracle, clearinghouse);
  const handover = buildHandoverModule(oracle, clearinghouse, markets, wiring);
  return buildModule("Sundial", (m) => {
    m.useModule(handover);
    const { timelock, calendar, insuranceFund, vault } = m.useModule(FoundationModule);
    const sources = m.useModule(oracle);
    const core = m.useModule(clearinghouse);
    return { timelock, calendar, insuranceFund, vault, ...sources, ...core };
  });
}

/** The Ignition parameters of the static modules (Governance, Foundation) for `config`. */
export function sundialParameters(config: DeploymentConfig) {
  const guardian = config.roles.guardian;
  return {
    Governance: {
      governance: config.governance.governance,
      minDelaySeconds: config.governance.minDelaySeconds,
    },
    Foundation: {
      collateralToken: config.collateralToken,
      ...(guardian === "TIMELOCK" ? {} : { guardian }),
    },
  };
}
