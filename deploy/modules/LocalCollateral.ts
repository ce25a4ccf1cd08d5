import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * A local deployment's collateral: a mintable 6-decimal mock USDC with EIP-2612 permit. Deploy it
 * first and pass its address as `Foundation.collateralToken` (`scripts/deploy-local.ts` does both).
 */
export default buildModule("LocalCollateral", (m) => {
  const usdc = m.contract("MockUSDC");
  return { usdc };
});
