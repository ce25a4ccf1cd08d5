/**
 * One command, a whole local system: `npm run deploy:local` (a node must be running:
 * `npx hardhat node`). Deploys the oracle mocks (MockPyth, Chainlink MockV3Aggregators for the
 * feeds and the sequencer, MockVerifierProxy) and the collateral, then the system with Ignition from
 * `deploy/parameters/local.json`, prints the addresses and writes them to `deployments/local.json`,
 * where the keepers and the SDK read them.
 *
 * Environment: `SUNDIAL_DEPLOY_CONFIG` (another parameter file), `SUNDIAL_DEPLOYMENT_FILE` (another
 * output file), `SUNDIAL_DON_SIGNER` (the address whose key signs local Data Streams reports; default
 * the node's account 4, the local quote publisher). Re-running against the same node resumes the same
 * Ignition deployment (journal in `deploy/deployments/`) and prints the same addresses.
 */
import { getAddress } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../deploy/config.js";
import { deployLocalMocks, deploySystem, writeDeploymentRecord } from "../deploy/system.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const config = loadDeploymentConfig(process.env["SUNDIAL_DEPLOY_CONFIG"] ?? parametersFile("local"));
const signers = await ethers.getSigners();
const donSigner = process.env["SUNDIAL_DON_SIGNER"] ?? signers[4]?.address;
if (donSigner === undefined) throw new Error("set SUNDIAL_DON_SIGNER: the node has fewer than 5 accounts");
const genesis = await ethers.provider.getBlock(0);
const deploymentId = `local-${(genesis?.hash ?? "0x00000000").slice(2, 10)}`;

const mocks = await deployLocalMocks(connection, config, getAddress(donSigner), {
  deploymentId: `${deploymentId}-mocks`,
});
const record = await deploySystem(connection, config, mocks, { deploymentId });
const file = process.env["SUNDIAL_DEPLOYMENT_FILE"] ?? "deployments/local.json";
writeDeploymentRecord(file, record);

console.log(`Sundial deployed on chain ${record.chainId} (Ignition deployment ${deploymentId})\n`);
for (const [name, address] of Object.entries(record.contracts))
  console.log(`  ${name.padEnd(20)} ${address}`);
console.log("\nmocks:");
console.log(`  pyth                 ${mocks.pyth}`);
console.log(`  verifierProxy        ${mocks.dataStreamsVerifierProxy} (DON signer ${donSigner})`);
console.log(`  sequencerUptimeFeed  ${mocks.sequencerUptimeFeed}`);
for (const m of record.markets) console.log(`  ${m.symbol.padEnd(5)} feed           ${m.chainlinkFeed}`);
console.log(`\nroles: ${JSON.stringify(record.roles)}`);
console.log(`\nwritten to ${file}`);
