/**
 * Deploys Sundial to a real network from a completed parameter file:
 * `SUNDIAL_DEPLOY_CONFIG=deploy/parameters/arbitrum-one.json hardhat run scripts/deploy-network.ts --network arbitrumOne`.
 * Refuses a file that still holds `REPLACE_ME` values (listing every one) or whose `chainId` is not
 * the network's. Writes the deployment record to `deployments/<network>.json`.
 */
import { network } from "hardhat";
import { loadDeploymentConfig } from "../deploy/config.js";
import { deploySystem, writeDeploymentRecord } from "../deploy/system.js";

const file = process.env["SUNDIAL_DEPLOY_CONFIG"];
if (file === undefined) throw new Error("set SUNDIAL_DEPLOY_CONFIG to the network's parameter file");
const config = loadDeploymentConfig(file);
const connection = await network.getOrCreate();
const { chainId } = await connection.ethers.provider.getNetwork();
if (Number(chainId) !== config.chainId) {
  throw new Error(`${file} is for chain ${config.chainId}, the network is chain ${chainId}`);
}
const record = await deploySystem(connection, config, undefined, {
  deploymentId: `sundial-${config.network}`,
});
const out = process.env["SUNDIAL_DEPLOYMENT_FILE"] ?? `deployments/${config.network}.json`;
writeDeploymentRecord(out, record);
console.log(JSON.stringify(record, null, 2));
console.log(`written to ${out}`);
