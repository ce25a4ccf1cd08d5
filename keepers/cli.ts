/**
 * Options and start-up shared by the funding and oracle keeper CLIs: where the chain and the
 * deployment are, where the key comes from, where metrics are served, how much is logged.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import { readDeploymentRecord, type DeploymentRecord } from "../deploy/system.js";
import { ConfigError, loadWallet, type OptionSpec, type OptionValue } from "./lib/config.js";
import { LOG_LEVELS, type LogLevel } from "./lib/logger.js";

export function commonOptions(keeper: string, defaultPort: number): OptionSpec[] {
  const prefix = `SUNDIAL_${keeper.toUpperCase()}_KEEPER`;
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
      description: "where the keeper's key comes from: an env var (--key-env) or Hardhat's network accounts",
    },
    {
      flag: "key-env",
      env: `${prefix}_KEY_ENV`,
      kind: "string",
      default: `${prefix}_KEY`,
      description: "name of the environment variable holding the keeper's private key",
    },
    {
      flag: "metrics-host",
      env: `${prefix}_METRICS_HOST`,
      kind: "string",
      default: "127.0.0.1",
      description: "metrics bind address",
    },
    {
      flag: "metrics-port",
      env: `${prefix}_METRICS_PORT`,
      kind: "int",
      min: 0,
      max: 65535,
      default: String(defaultPort),
      description: "metrics port (GET /metrics, GET /health)",
    },
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
}

export interface CommonConfig {
  rpcUrl: string;
  deployment: string;
  keySource: "env" | "hardhat";
  keyEnv: string;
  metricsHost: string;
  metricsPort: number;
  logLevel: LogLevel;
}

export function commonConfig(v: Record<string, OptionValue>): CommonConfig {
  return {
    rpcUrl: v["rpc-url"] as string,
    deployment: v["deployment"] as string,
    keySource: v["key-source"] as "env" | "hardhat",
    keyEnv: v["key-env"] as string,
    metricsHost: v["metrics-host"] as string,
    metricsPort: v["metrics-port"] as number,
    logLevel: v["log-level"] as LogLevel,
  };
}

/** The first private key configured for the Hardhat network (keystore-backed config variables). */
export async function hardhatKey(): Promise<string> {
  const { network } = await import("hardhat");
  const connection = await network.connect();
  const accounts = connection.networkConfig.accounts;
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new ConfigError(["--key-source hardhat needs a network whose `accounts` is a list of keys"]);
  }
  const first = accounts[0] as { get(): Promise<string> };
  return first.get();
}

/** Provider, wallet and deployment record of a keeper; checks that the record is for this chain. */
export async function connectKeeper(
  config: CommonConfig,
): Promise<{ provider: JsonRpcProvider; wallet: Wallet; deployment: DeploymentRecord }> {
  const deployment = readDeploymentRecord(config.deployment);
  const provider = new JsonRpcProvider(config.rpcUrl);
  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== deployment.chainId) {
    throw new ConfigError([
      `${config.deployment} is for chain ${deployment.chainId}, the RPC serves ${chainId}`,
    ]);
  }
  const wallet =
    config.keySource === "hardhat"
      ? new Wallet(await hardhatKey(), provider)
      : loadWallet(config.keyEnv, process.env, provider);
  return { provider, wallet, deployment };
}

/** Runs `main` when the file is the process entry point; exits 2 on configuration errors. */
export function runIfMain(url: string, name: string, main: () => Promise<void>): void {
  if (process.argv[1] === undefined || !url.endsWith(process.argv[1].replace(/\\/g, "/"))) return;
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + "\n");
      process.exit(2);
    }
    process.stderr.write(JSON.stringify({ level: "error", msg: `${name} crashed`, err: String(err) }) + "\n");
    process.exit(1);
  });
}
