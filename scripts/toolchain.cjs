#!/usr/bin/env node
// Sundial toolchain bootstrap.
//
// Hardhat 3 needs Node >= 22.13, and `npm install` itself must run under that Node or npm
// silently skips EDR's native binary (its `engines` field says ">= 22"). This script is written
// for any Node >= 18 so that `npm test` / `npm run demo` work on a fresh clone with only Node 20:
//
//   1. If the running Node is older than the pinned minimum, install the pinned Node from the npm
//      registry (the `node` package) into `.toolchain/` and put it first on PATH.
//   2. If `node_modules` is missing, install it under the pinned Node with `npm ci`: exactly the
//      committed lock file, which records every platform build of EDR and anvil (npm skips the
//      ones for other platforms without fetching them). If it exists but was installed under
//      another Node major or another lock file, or lacks EDR's native binary, update it in place
//      with `npm install` against the lock: `npm ci` would first delete it, under every process
//      using it (a test that runs a script through this file, another checkout sharing it).
//      `.ci/run` starts from a clean clone and checks afterwards that the lock file is unchanged.
//   3. Run the requested task with that PATH, so every `#!/usr/bin/env node` script (hardhat, npm,
//      tsc, prettier, solhint) runs on the pinned Node.
//
// On a developer machine that already has Node >= 22.13, step 1 is skipped.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const PINNED_NODE = fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim(); // e.g. 22.23.3
const MIN_NODE = [22, 13, 0];
const TOOLCHAIN_DIR = path.join(ROOT, ".toolchain");
const STAMP = path.join(ROOT, "node_modules", ".sundial-install.json");

const TASKS = {
  test: [
    ["hardhat", "build"],
    ["hardhat", "test", "solidity"],
    ["hardhat", "test", "mocha"],
  ],
  demo: [["hardhat", "run", "scripts/demo.ts"]],
  lint: [
    ["solhint", "--disc", "contracts/**/*.sol"],
    ["prettier", "--check", "."],
    ["hardhat", "build"],
    ["tsc", "--noEmit", "-p", "tsconfig.json"],
  ],
};

function log(message) {
  process.stderr.write(`[toolchain] ${message}\n`);
}

function versionAtLeast(version, minimum) {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i];
  }
  return true;
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function capture(command, args, env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

/**
 * npm locates its global config (`$PREFIX/etc/npmrc`) from the Node binary that runs it, so npm
 * under the pinned Node would silently drop the machine's global settings (a CA file, a registry
 * mirror, a proxy). Pin npm to the global config of the machine's own npm instead.
 */
function machineNpmGlobalConfig() {
  if (process.env.npm_config_globalconfig || process.env.NPM_CONFIG_GLOBALCONFIG) return null;
  const value = capture("npm", ["config", "get", "globalconfig"], process.env);
  return value && fs.existsSync(value) ? value : null;
}

/** Returns an environment whose PATH starts with a Node that satisfies MIN_NODE. */
function nodeEnvironment() {
  const env = { ...process.env };
  const globalConfig = machineNpmGlobalConfig();
  if (globalConfig) env.NPM_CONFIG_GLOBALCONFIG = globalConfig;
  const localBin = path.join(ROOT, "node_modules", ".bin");
  if (versionAtLeast(process.version, MIN_NODE)) {
    env.PATH = [localBin, env.PATH].join(path.delimiter);
    return env;
  }
  const toolchainBin = path.join(TOOLCHAIN_DIR, "node_modules", ".bin");
  env.PATH = [toolchainBin, localBin, env.PATH].join(path.delimiter);
  if (capture("node", ["--version"], env) !== `v${PINNED_NODE}`) {
    log(
      `Node ${process.version} is older than ${MIN_NODE.join(".")}; installing node@${PINNED_NODE} into .toolchain/`,
    );
    fs.mkdirSync(TOOLCHAIN_DIR, { recursive: true });
    fs.writeFileSync(path.join(TOOLCHAIN_DIR, "package.json"), '{ "private": true }\n');
    // Installed from inside .toolchain/ (not with --prefix, which would also move npm's global
    // config), by the machine's own npm and Node.
    const installEnv = { ...process.env, ...(globalConfig ? { NPM_CONFIG_GLOBALCONFIG: globalConfig } : {}) };
    const install = ["install", "--no-audit", "--no-fund", "--no-save", `node@${PINNED_NODE}`];
    const status = spawnSync("npm", install, {
      cwd: TOOLCHAIN_DIR,
      env: installEnv,
      stdio: "inherit",
    }).status;
    if (status !== 0 || capture("node", ["--version"], env) !== `v${PINNED_NODE}`) {
      throw new Error(`could not install node@${PINNED_NODE} from the npm registry`);
    }
  }
  return env;
}

function edrNativePresent() {
  const dir = path.join(ROOT, "node_modules", "@nomicfoundation");
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir).some((name) => name.startsWith("edr-") && name !== "edr-helpers");
}

function lockHash() {
  const lock = path.join(ROOT, "package-lock.json");
  const crypto = require("node:crypto");
  return crypto.createHash("sha256").update(fs.readFileSync(lock)).digest("hex");
}

/** Installs node_modules under the pinned Node when it is absent, stale, or lacks EDR's binary. */
function ensureDependencies(env) {
  const nodeVersion = capture("node", ["--version"], env);
  const expected = { node: nodeVersion.split(".")[0], lock: lockHash() };
  let current = null;
  try {
    current = JSON.parse(fs.readFileSync(STAMP, "utf8"));
  } catch {
    current = null;
  }
  const upToDate = current && current.node === expected.node && current.lock === expected.lock;
  if (upToDate && edrNativePresent()) return;
  const fresh = !fs.existsSync(path.join(ROOT, "node_modules"));
  const command = fresh ? "ci" : "install";
  log(`${fresh ? "installing" : "updating"} dependencies under Node ${nodeVersion} (npm ${command})`);
  const status = run("npm", [command, "--no-audit", "--no-fund"], env);
  if (status !== 0)
    throw new Error(`npm ${command} failed (is package-lock.json in step with package.json?)`);
  if (!edrNativePresent() && !fresh) {
    // An install made under a Node too old for EDR that npm did not repair in place: start over.
    log("node_modules still lacks EDR's native binary; reinstalling from scratch (npm ci)");
    if (run("npm", ["ci", "--no-audit", "--no-fund"], env) !== 0) throw new Error("npm ci failed");
  }
  if (!edrNativePresent()) throw new Error("EDR's native binary is missing after npm install");
  fs.writeFileSync(STAMP, JSON.stringify(expected) + "\n");
}

function main() {
  const [task, ...rest] = process.argv.slice(2);
  if (!task) {
    log("usage: node scripts/toolchain.cjs <test|demo|lint|install|COMMAND ...>");
    process.exit(2);
  }
  const env = nodeEnvironment();
  ensureDependencies(env);
  if (task === "install") return;
  const steps = TASKS[task] ?? [[task, ...rest]];
  for (const [command, ...args] of steps) {
    const extra = TASKS[task] && steps.length === 1 ? rest : [];
    const status = run(command, [...args, ...extra], env);
    if (status !== 0) process.exit(status);
  }
}

main();
