import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler is the npm `solc` package (soljson), referenced by absolute path so that Hardhat
 * never downloads a compiler. Its version must match the installed package, which is pinned in
 * package.json.
 */
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;
const SOLC_PATH = require.resolve("solc/soljson.js");

/**
 * Chainlink's Data Streams interfaces (`llo-feeds`, @chainlink/contracts 1.2.0) pin `pragma solidity
 * 0.8.19`, so the one source contract that imports them is compiled by a second npm compiler,
 * installed under the alias `solc-0.8.19`. Hardhat picks it only for files whose pragmas require it.
 */
const SOLC_LEGACY_VERSION: string = (require("solc-0.8.19/package.json") as { version: string }).version;
const SOLC_LEGACY_PATH = require.resolve("solc-0.8.19/soljson.js");

const compilerSettings = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: "cancun",
  viaIR: false,
};

// 0.8.19 predates Cancun support; Paris is its newest target and runs unchanged on Cancun chains.
const legacySettings = { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "paris" };

/**
 * Contracts near the 24 KB limit are optimised for size (fewer runs) instead of being split
 * artificially. The Clearinghouse's hot path is dominated by storage and external calls, where the
 * run count changes little.
 */
const sizeOptimizedSettings = { ...compilerSettings, optimizer: { enabled: true, runs: 200 }, viaIR: true };
const sizeOverrides = {
  "contracts/core/Clearinghouse.sol": {
    version: SOLC_VERSION,
    path: SOLC_PATH,
    settings: sizeOptimizedSettings,
  },
};

/**
 * A network a keeper signs on with `--key-source hardhat` (docs/keepers.md): its first account is
 * the configuration variable `keyVariable`, which Hardhat resolves from the environment variable of
 * that name or else from its keystore (`npx hardhat keystore set SUNDIAL_FUNDING_KEEPER_KEY`, or
 * `--dev` for the unencrypted development keystore). Variables resolve only when read, so the
 * other tasks never ask for them. The keeper connects to its own `--rpc-url`; the URL here serves
 * scripts run on the network.
 */
function keeperNetwork(keyVariable: string) {
  return {
    type: "http" as const,
    url: configVariable("SUNDIAL_RPC_URL"),
    accounts: [configVariable(keyVariable)],
  };
}

const compilers = [
  { version: SOLC_VERSION, path: SOLC_PATH, settings: compilerSettings },
  { version: SOLC_LEGACY_VERSION, path: SOLC_LEGACY_PATH, settings: legacySettings },
];

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    // Deployed by deploy/modules from OpenZeppelin's sources, so they need artifacts of their own.
    // The packages' own oracle mocks are deployed by the demo and local deployments.
    npmFilesToBuild: [
      "@openzeppelin/contracts/governance/TimelockController.sol",
      "@pythnetwork/pyth-sdk-solidity/MockPyth.sol",
      "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol",
    ],
    profiles: {
      default: { compilers, overrides: sizeOverrides },
      production: { compilers, overrides: sizeOverrides },
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
    // Ignition modules live in deploy/modules, parameters in deploy/parameters (SPEC section 9).
    ignition: "deploy",
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x5d1a1" },
      invariant: { runs: 64, depth: 64, failOnRevert: false },
    },
    mocha: { timeout: 600_000 },
  },
  typechain: {
    outDir: "typechain-types",
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    // A node started with `hardhat node` (npm run deploy:local, the keepers' local mode).
    localhost: { type: "http", url: "http://127.0.0.1:8545" },
    // One key per keeper (each needs different powers: MATCHER_ROLE, quote publisher, none).
    sundialFunding: keeperNetwork("SUNDIAL_FUNDING_KEEPER_KEY"),
    sundialOracle: keeperNetwork("SUNDIAL_ORACLE_KEEPER_KEY"),
    sundialLiquidation: keeperNetwork("SUNDIAL_LIQUIDATION_KEEPER_KEY"),
    sundialMatcher: keeperNetwork("SUNDIAL_MATCHER_KEY"),
  },
});
