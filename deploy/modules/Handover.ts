import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import FoundationModule from "./Foundation.js";

const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";

/**
 * The last step of every deployment: the timelock receives the admin role of every contract the
 * deployer wired, and the deployer renounces it. After this, no single key administers anything.
 */
export default buildModule("Handover", (m) => {
  const { timelock, calendar, insuranceFund, vault } = m.useModule(FoundationModule);
  const deployer = m.getAccount(0);
  for (const [name, contract] of [
    ["InsuranceFund", insuranceFund],
    ["CollateralVault", vault],
  ] as const) {
    const granted = m.call(contract, "grantRole", [DEFAULT_ADMIN_ROLE, timelock], {
      id: `${name}_grantAdmin`,
    });
    m.call(contract, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
      id: `${name}_renounceAdmin`,
      after: [granted],
    });
  }
  return { timelock, calendar, insuranceFund, vault };
});
