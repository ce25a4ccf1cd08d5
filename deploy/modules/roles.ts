import { ZeroHash, id } from "ethers";

/** Role ids of the Sundial contracts (`keccak256("<NAME>")`, as each contract declares them). */
export const ROLES = {
  DEFAULT_ADMIN: ZeroHash,
  GUARDIAN: id("GUARDIAN_ROLE"),
  MATCHER: id("MATCHER_ROLE"),
  MARKET_LISTER: id("MARKET_LISTER_ROLE"),
  RISK_MANAGER: id("RISK_MANAGER_ROLE"),
  TRADE_REPORTER: id("TRADE_REPORTER_ROLE"),
  CORPORATE_ACTIONS: id("CORPORATE_ACTIONS_ROLE"),
  CALENDAR: id("CALENDAR_ROLE"),
  LIQUIDATOR: id("LIQUIDATOR_ROLE"),
  LIQUIDATION: id("LIQUIDATION_ROLE"),
} as const;
