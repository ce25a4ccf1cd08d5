import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler is the npm `solc` package (soljson), referenced by absolute path so that Hardhat
 * never downloads a compiler. Its version must match the installed package, which is pinned in
 * package.json.
 */
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;
const SOLC_PATH = require.resolve("solc/soljson.js");

const compilerSettings = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: "cancun",
  viaIR: false,
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: { version: SOLC_VERSION, path: SOLC_PATH, settings: compilerSettings },
      production: { version: SOLC_VERSION, path: SOLC_PATH, settings: compilerSettings },
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
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
  },
});
