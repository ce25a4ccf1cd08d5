/**
 * Options and start-up shared by the keeper and matcher CLIs: where the chain and the deployment
 * are, where the key comes from, where metrics are served, how much is logged — and how a CLI's
 * `main.ts` finds its command-line arguments, whichever way it was started.
 *
 * Keys come from one of two places (SPEC 9), never from code or a flag:
 *
 * - `--key-source env`: the environment variable named by `--key-env`;
 * - `--key-source hardhat`: the first `accounts` entry of a Hardhat network (hardhat.config.ts
 *   defines one per keeper, `accounts: [configVariable("SUNDIAL_FUNDING_KEEPER_KEY")]`), which
 *   Hardhat resolves from the environment variable of that name or else from its keystore
 *   (`npx hardhat keystore set SUNDIAL_FUNDING_KEEPER_KEY`). The default under
 *   `hardhat run --network <name> keepers/<keeper>/main.ts`.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, type Wallet } from "ethers";
import type { UserInterruptionHooks } from "hardhat/types/hooks";
import { readDeploymentRecord, type DeploymentRecord } from "../deploy/system.js";
import { ConfigError, loadWallet, walletFromKey, type OptionSpec, type OptionValue } from "./lib/config.js";
import { LOG_LEVELS, type LogLevel, type Logger } from "./lib/logger.js";
import type { MetricsRegistry } from "./lib/metrics.js";
import { DEFAULT_FEE_BUMP, MIN_FEE_BUMP_BPS, WalletSubmitter, type FeeBumpOptions } from "./lib/submitter.js";

/** Who a CLI is: its name in messages, its environment prefix, its Hardhat network. */
export interface CliIdentity {
  /** e.g. "funding keeper" (log messages, errors). */
  name: string;
  /** Prefix of its own environment variables, e.g. `SUNDIAL_FUNDING_KEEPER`. */
  envPrefix: string;
  /** The hardhat.config.ts network whose first account is its key with `--key-source hardhat`. */
  hardhatNetwork: string;
}

export const FUNDING_KEEPER: CliIdentity = {
  name: "funding keeper",
  envPrefix: "SUNDIAL_FUNDING_KEEPER",
  hardhatNetwork: "sundialFunding",
};
export const ORACLE_KEEPER: CliIdentity = {
  name: "oracle keeper",
  envPrefix: "SUNDIAL_ORACLE_KEEPER",
  hardhatNetwork: "sundialOracle",
};
export const LIQUIDATION_KEEPER: CliIdentity = {
  name: "liquidation keeper",
  envPrefix: "SUNDIAL_LIQUIDATION_KEEPER",
  hardhatNetwork: "sundialLiquidation",
};
export const MATCHER: CliIdentity = {
  name: "matcher",
  envPrefix: "SUNDIAL_MATCHER",
  hardhatNetwork: "sundialMatcher",
};

export type KeySource = "env" | "hardhat";

/** The chain, the deployment record and the key: every keeper and the matcher take these. */
export function connectionOptions(id: CliIdentity): OptionSpec[] {
  return [
    { flag: "rpc-url", env: "SUNDIAL_RPC_URL", kind: "url", description: "JSON-RPC endpoint of the chain" },
    {
      flag: "deployment",
      env: "SUNDIAL_DEPLOYMENT",
      kind: "string",
      default: "deployments/local.json",
      description: "deployment record written by deploy:local / deploy-network (contract addresses, markets)",
    },
    {
      flag: "key-source",
      env: "SUNDIAL_KEY_SOURCE",
      kind: "enum",
      values: ["env", "hardhat"],
      default: "env",
      description:
        "where the key comes from: an env var (--key-env) or a Hardhat network's first account " +
        "(--hardhat-network; environment or keystore); hardhat under `hardhat run`",
    },
    {
      flag: "key-env",
      env: `${id.envPrefix}_KEY_ENV`,
      kind: "string",
      default: `${id.envPrefix}_KEY`,
      description: `name of the environment variable holding the ${id.name}'s private key`,
    },
    {
      flag: "hardhat-network",
      env: `${id.envPrefix}_HARDHAT_NETWORK`,
      kind: "string",
      optional: true,
      description: `--key-source hardhat: the network whose first account is the key (default: hardhat run's --network, else ${id.hardhatNetwork})`,
    },
  ];
}

/** How stuck transactions are replaced (keepers/lib/submitter.ts): shared by every CLI. */
export const SUBMITTER_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "tx-replace-after-sec",
    env: "SUNDIAL_TX_REPLACE_AFTER_SEC",
    kind: "int",
    min: 1,
    max: 3_600,
    default: String(DEFAULT_FEE_BUMP.replaceAfterMs / 1000),
    description: "a transaction not mined this long is replaced: same nonce, higher fees",
  },
  {
    flag: "tx-fee-bump-bps",
    env: "SUNDIAL_TX_FEE_BUMP_BPS",
    kind: "int",
    min: MIN_FEE_BUMP_BPS,
    max: 100_000,
    default: String(DEFAULT_FEE_BUMP.bumpBps),
    description:
      "each replacement raises maxFeePerGas and maxPriorityFeePerGas by at least this (basis points)",
  },
  {
    flag: "tx-max-fee-gwei",
    env: "SUNDIAL_TX_MAX_FEE_GWEI",
    kind: "gwei",
    default: "500",
    description: "no transaction is signed with a higher maxFeePerGas (gwei; replacements stop there)",
  },
];

/** The Prometheus endpoint of a tick keeper. */
export function metricsOptions(id: CliIdentity, defaultPort: number): OptionSpec[] {
  return [
    {
      flag: "metrics-host",
      env: `${id.envPrefix}_METRICS_HOST`,
      kind: "string",
      default: "127.0.0.1",
      description: "metrics bind address",
    },
    {
      flag: "metrics-port",
      env: `${id.envPrefix}_METRICS_PORT`,
      kind: "int",
      min: 0,
      max: 65535,
      default: String(defaultPort),
      description: "metrics port (GET /metrics, GET /health)",
    },
  ];
}

export const LOG_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "log-level",
    env: "SUNDIAL_LOG_LEVEL",
    kind: "enum",
    values: LOG_LEVELS,
    default: "info",
    description: "minimum log level",
  },
  { flag: "help", kind: "bool", default: "false", description: "print this help" },
];

/** Every option shared by the tick keepers (funding, oracle, liquidation). */
export function commonOptions(id: CliIdentity, defaultPort: number): OptionSpec[] {
  return [...connectionOptions(id), ...SUBMITTER_OPTIONS, ...metricsOptions(id, defaultPort), ...LOG_OPTIONS];
}

export interface ConnectionConfig {
  rpcUrl: string;
  deployment: string;
  keySource: KeySource;
  keyEnv: string;
  hardhatNetwork: string | undefined;
  /** Replacement of stuck transactions (`SUBMITTER_OPTIONS`). */
  feeBump: FeeBumpOptions;
  logLevel: LogLevel;
}

export interface CommonConfig extends ConnectionConfig {
  metricsHost: string;
  metricsPort: number;
}

export function connectionConfig(v: Record<string, OptionValue>): ConnectionConfig {
  return {
    rpcUrl: v["rpc-url"] as string,
    deployment: v["deployment"] as string,
    keySource: v["key-source"] as KeySource,
    keyEnv: v["key-env"] as string,
    hardhatNetwork: v["hardhat-network"] as string | undefined,
    feeBump: {
      replaceAfterMs: (v["tx-replace-after-sec"] as number) * 1000,
      bumpBps: v["tx-fee-bump-bps"] as number,
      maxFeePerGasCap: v["tx-max-fee-gwei"] as bigint,
    },
    logLevel: v["log-level"] as LogLevel,
  };
}

export function commonConfig(v: Record<string, OptionValue>): CommonConfig {
  return {
    ...connectionConfig(v),
    metricsHost: v["metrics-host"] as string,
    metricsPort: v["metrics-port"] as number,
  };
}

// ---------------------------------------------------------------------------------- invocation

/**
 * How a CLI was started: `direct` (`tsx keepers/x/main.ts …`, `node --import tsx …`: its arguments
 * follow the script) or `hardhat-run` (`hardhat run --network <name> keepers/x/main.ts`: every
 * argument is Hardhat's, so options come from the environment and the key from the network).
 */
export type Runner = "direct" | "hardhat-run";

export interface Invocation {
  runner: Runner;
  /** The CLI's own arguments. */
  argv: string[];
}

function samePath(arg: string, file: string, cwd: string): boolean {
  const candidate = resolve(cwd, arg);
  if (candidate === file) return true;
  try {
    return realpathSync(candidate) === file;
  } catch {
    return false;
  }
}

/**
 * Finds the script `url` among the process arguments: what follows it is the CLI's, and a `run`
 * before it means Hardhat's `run` task loaded it. Undefined when the script is not named at all
 * (imported by something else): the caller must refuse to start rather than silently do nothing.
 */
export function detectInvocation(
  url: string,
  argv: readonly string[] = process.argv,
  cwd: string = process.cwd(),
): Invocation | undefined {
  let file = fileURLToPath(url);
  try {
    file = realpathSync(file);
  } catch {
    // keep the path as is (a file that does not exist cannot be named by an argument either)
  }
  const index = argv.findIndex((arg, i) => i >= 1 && samePath(arg, file, cwd));
  if (index === -1) return undefined;
  if (index > 1 && argv.slice(2, index).includes("run")) return { runner: "hardhat-run", argv: [] };
  return { runner: "direct", argv: argv.slice(index + 1) };
}

/** `specs` with the defaults of `runner`: under `hardhat run` the key comes from the network. */
export function optionsFor(specs: readonly OptionSpec[], runner: Runner): OptionSpec[] {
  if (runner === "direct") return [...specs];
  return specs.map((s) => (s.flag === "key-source" ? { ...s, default: "hardhat" } : s));
}

/** What a CLI is doing while it starts (named if the process runs out of work before it started). */
let startStage = "starting";

/** Records what the CLI is about to wait for (see `runCli`). */
export function setStartStage(stage: string): void {
  startStage = stage;
}

/**
 * Runs a CLI's `main` with its own arguments; it is called at the bottom of every `main.ts` (which
 * exports nothing, so that loading it always means running it). Configuration errors exit with
 * status 2 and one line per problem, crashes with status 1. Two ways of doing nothing fail loudly
 * too, with status 2: a `main.ts` loaded in a way that does not name it (its arguments are unknown),
 * and a `main` still starting when the process has nothing left to wait for (e.g. the keystore's
 * password prompt reading a stdin that is at its end), which Node would otherwise end with status 0.
 */
export function runCli(url: string, name: string, main: (invocation: Invocation) => Promise<void>): void {
  const fail = (err: unknown): void => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(JSON.stringify({ level: "error", msg: `${name} crashed`, err: String(err) }) + "\n");
    process.exit(1);
  };
  const invocation = detectInvocation(url);
  if (invocation === undefined) {
    fail(
      new ConfigError([
        `${fileURLToPath(url)} was loaded but is not named on the command line ` +
          `(${JSON.stringify(process.argv)}), so its arguments are unknown: start it with ` +
          "`npm run <script> -- <flags>`, `tsx <file> <flags>` or `hardhat run --network <name> <file>`",
      ]),
    );
    return;
  }
  let started = false;
  const stalled = (): void => {
    if (started) return;
    fail(
      new ConfigError([
        `${name} did not start: the process had nothing left to wait for while ${startStage} ` +
          "(input that never came? a stdin that is not a terminal and holds no line)",
      ]),
    );
  };
  process.once("beforeExit", stalled);
  main(invocation).then(() => {
    started = true;
    process.off("beforeExit", stalled);
  }, fail);
}

// ---------------------------------------------------------------------------------- keys

/** Describes a Hardhat network's `accounts` for an error message. */
function describeAccounts(accounts: unknown): string {
  if (accounts === "remote") return '"remote" (the node\'s own accounts)';
  if (Array.isArray(accounts))
    return accounts.length === 0 ? "no accounts" : `${accounts.length} simulated accounts`;
  return "a mnemonic (HD accounts)";
}

/** A key from a Hardhat network: the network's name and the resolved private key. */
export interface HardhatKey {
  network: string;
  key: string;
}

/**
 * The first private key in `accounts` of the Hardhat network `requested` (else the network of
 * `hardhat run --network`, else `fallback`). Hardhat resolves the `configVariable` from the
 * environment variable of the same name or from its keystore (development keystore first, then the
 * production one, which asks for its password). Nothing connects to the network: the keeper uses
 * only the key.
 * @throws ConfigError naming the network and the variable when the key cannot be had.
 */
export async function hardhatKey(requested: string | undefined, fallback: string): Promise<HardhatKey> {
  const hre = (await import("hardhat")).default;
  const network = requested ?? hre.globalOptions.network ?? fallback;
  const config = hre.config.networks[network];
  if (config === undefined) {
    const known = Object.keys(hre.config.networks).join(", ");
    throw new ConfigError([`Hardhat network "${network}" is not in hardhat.config.ts (networks: ${known})`]);
  }
  const accounts = config.type === "http" ? config.accounts : undefined;
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new ConfigError([
      `--key-source hardhat needs an http network whose accounts are private keys, e.g. ` +
        `accounts: [configVariable("…_KEY")]; "${network}" is ${config.type} with ${describeAccounts(config.accounts)}`,
    ]);
  }
  const first = accounts[0]!;
  // The production keystore asks for its password on stdin. Read from a pipe, nothing echoes the
  // answer's newline: end the prompt's line so that the JSON log lines after it stay one per line.
  const endPromptLine: Partial<UserInterruptionHooks> = {
    requestSecretInput: async (context, interruptor, description, next) => {
      const answer = await next(context, interruptor, description);
      if (process.stdin.isTTY !== true) process.stdout.write("\n");
      return answer;
    },
  };
  hre.hooks.registerHandlers("userInterruptions", endPromptLine);
  let key: string;
  try {
    setStartStage(
      `reading the key of Hardhat network "${network}" (from the environment, or the keystore, ` +
        "whose production store asks for its password on stdin)",
    );
    key = await first.get();
    setStartStage("starting");
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError([`the key of Hardhat network "${network}" could not be resolved: ${message}`]);
  } finally {
    hre.hooks.unregisterHandlers("userInterruptions", endPromptLine);
  }
  return { network, key };
}

/** The signer of a CLI, with where its key came from (logged at start). */
export interface Signer {
  wallet: Wallet;
  keySource: KeySource;
  /** The Hardhat network the key came from (`--key-source hardhat`). */
  hardhatNetwork?: string;
}

/** The CLI's wallet on `provider`, from the environment or a Hardhat network. @throws ConfigError */
export async function loadSigner(
  config: ConnectionConfig,
  id: CliIdentity,
  provider: JsonRpcProvider,
): Promise<Signer> {
  if (config.keySource === "env") {
    return { wallet: loadWallet(config.keyEnv, process.env, provider), keySource: "env" };
  }
  const { network, key } = await hardhatKey(config.hardhatNetwork, id.hardhatNetwork);
  const wallet = walletFromKey(key, `the first account of Hardhat network "${network}"`, provider);
  return { wallet, keySource: "hardhat", hardhatNetwork: network };
}

/** Provider, signer and deployment record of a CLI; checks that the record is for this chain. */
export async function connectKeeper(
  config: ConnectionConfig,
  id: CliIdentity,
): Promise<{ provider: JsonRpcProvider; wallet: Wallet; signer: Signer; deployment: DeploymentRecord }> {
  let deployment: DeploymentRecord;
  try {
    deployment = readDeploymentRecord(config.deployment);
  } catch (err) {
    throw new ConfigError([`--deployment ${config.deployment}: ${err instanceof Error ? err.message : err}`]);
  }
  const provider = new JsonRpcProvider(config.rpcUrl);
  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== deployment.chainId) {
    provider.destroy();
    throw new ConfigError([
      `${config.deployment} is for chain ${deployment.chainId}, the RPC serves ${chainId}`,
    ]);
  }
  const signer = await loadSigner(config, id, provider);
  return { provider, wallet: signer.wallet, signer, deployment };
}

/** Fields of a CLI's "starting" log line that say who signs and with which key. */
export function signerFields(signer: Signer): Record<string, string> {
  const fields: Record<string, string> = { from: signer.wallet.address, keySource: signer.keySource };
  if (signer.hardhatNetwork !== undefined) fields.hardhatNetwork = signer.hardhatNetwork;
  return fields;
}

/** The CLI's transaction submitter: its replacement settings, its metrics in the CLI's registry. */
export function walletSubmitter(
  wallet: Wallet,
  provider: JsonRpcProvider,
  logger: Logger,
  config: ConnectionConfig,
  metrics: MetricsRegistry,
): WalletSubmitter {
  return new WalletSubmitter(wallet, provider, logger.child({ component: "submitter" }), {
    feeBump: config.feeBump,
    metrics,
  });
}
