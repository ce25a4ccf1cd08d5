import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Two days: long enough for users to react to a parameter change, short enough to fix a holiday list. */
const DEFAULT_TIMELOCK_DELAY_SECONDS = 2n * 24n * 60n * 60n;

/**
 * The governance timelock (SPEC section 8). It administers itself (no admin), so every role change
 * and every privileged call goes through its delay. Parameters:
 * - `governance`: the address (a multisig in production) that may propose, execute and cancel;
 *   defaults to the deployer account.
 * - `minDelaySeconds`: the timelock delay, default 48 h.
 */
export default buildModule("Governance", (m) => {
  const governance = m.getParameter("governance", m.getAccount(0));
  const minDelaySeconds = m.getParameter("minDelaySeconds", DEFAULT_TIMELOCK_DELAY_SECONDS);
  const timelock = m.contract("TimelockController", [
    minDelaySeconds,
    [governance],
    [governance],
    "0x0000000000000000000000000000000000000000",
  ]);
  return { timelock };
});
