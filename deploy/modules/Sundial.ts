import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import HandoverModule from "./Handover.js";

/**
 * The whole system on a real network. Needs `Foundation.collateralToken` (and normally
 * `Governance.governance`, `Foundation.guardian`) in the network's parameter file.
 */
export default buildModule("Sundial", (m) => m.useModule(HandoverModule));
