import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import GovernanceModule from "./Governance.js";
import { nyseCalendarArgs } from "./calendarData.js";

/**
 * The foundation of a deployment (SPEC sections 2 and 4): the market calendar, the insurance fund
 * and the collateral vault, wired to each other. Parameters:
 * - `collateralToken`: the stablecoin (USDC on a real network); `SundialLocal` deploys a mock.
 * - `guardian`: may pause withdrawals (the pause expires by itself); defaults to the deployer.
 * - `calendarDays`, `calendarKinds`: holiday/early-close data; default the shipped NYSE 2026–2028.
 *
 * The calendar is administered by the timelock from the start. The insurance fund and the vault
 * are administered by the deployer only until `Handover` gives their admin role to the timelock:
 * the one-time wiring (`setVault`, later `setMarginAuthority`) happens in between.
 */
export default buildModule("Foundation", (m) => {
  const { timelock } = m.useModule(GovernanceModule);
  const deployer = m.getAccount(0);
  const nyse = nyseCalendarArgs();
  const guardian = m.getParameter("guardian", deployer);
  const collateralToken = m.getParameter<string>("collateralToken");

  const calendar = m.contract("MarketCalendar", [
    timelock,
    m.getParameter("calendarDays", nyse.days),
    m.getParameter("calendarKinds", nyse.kinds),
  ]);
  const insuranceFund = m.contract("InsuranceFund", [collateralToken, deployer]);
  const vault = m.contract("CollateralVault", [collateralToken, insuranceFund, deployer, guardian]);
  m.call(insuranceFund, "setVault", [vault]);

  return { timelock, calendar, insuranceFund, vault };
});
