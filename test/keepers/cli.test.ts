/**
 * How the keeper and matcher CLIs start: the entry-point detection of `keepers/cli.ts`, and the real
 * CLIs as child processes (like test/e2e) under `hardhat run --network <name>` and `tsx`, with their
 * key from Hardhat's development keystore or from the configuration variable's environment override.
 * The chain is this process's in-process network, served over HTTP to the children.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import { deployLocalMocks, deploySystem, writeDeploymentRecord } from "../../deploy/system.js";
import { FUNDING_KEEPER, LIQUIDATION_KEEPER, detectInvocation, optionsFor } from "../../keepers/cli.js";
import { FUNDING_OPTIONS, parseFundingConfig } from "../../keepers/funding/config.js";
import { ConfigError } from "../../keepers/lib/config.js";
import { parseMatcherConfig } from "../../keepers/matcher/config.js";
import {
  ManagedProcess,
  ROOT,
  devKey,
  freePort,
  startHardhatProcess,
  startTsProcess,
} from "../../scripts/lib/processes.js";

/**
 * A production (encrypted) keystore holding SUNDIAL_FUNDING_KEEPER_KEY = the public development
 * mnemonic's account 19 key (`devKey(19)`: no secret), made with `npx hardhat keystore set` (which
 * needs a terminal) and the password below.
 */
const FIXTURE_KEYSTORE = join(ROOT, "test", "keepers", "fixtures", "keystore.json");
const FIXTURE_KEYSTORE_PASSWORD = "sundial-test-keystore";
const FIXTURE_KEYSTORE_ADDRESS = new Wallet(devKey(19)).address;

const connection = await network.create();
const { ethers, networkHelpers } = connection;

interface Rpc {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** Serves `provider` (the in-process chain) as a JSON-RPC HTTP endpoint, batches included. */
async function serveJsonRpc(provider: Rpc): Promise<{ url: string; server: Server }> {
  const answer = async (call: { id?: unknown; method: string; params?: unknown[] }) => {
    try {
      const result = await provider.request({ method: call.method, params: call.params ?? [] });
      return { jsonrpc: "2.0", id: call.id, result };
    } catch (err) {
      const e = err as { code?: unknown; message?: string; data?: unknown };
      const code = typeof e.code === "number" ? e.code : -32000;
      return {
        jsonrpc: "2.0",
        id: call.id,
        error: { code, message: e.message ?? String(err), data: e.data },
      };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Parameters<typeof answer>[0];
      const reply = Array.isArray(body) ? Promise.all(body.map(answer)) : answer(body);
      void reply.then((out) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Variables that make Hardhat skip its keystore (CI markers) or only read the dev one (tests). */
const KEYSTORE_BYPASS = [
  "CI",
  "CONTINUOUS_INTEGRATION",
  "GITHUB_ACTIONS",
  "BUILD_NUMBER",
  "RUN_ID",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "HH_TEST",
];

/**
 * The environment of a child CLI as an operator's shell would have it: Hardhat's global config
 * folder (its keystores) in `configHome`, no keeper keys or Sundial settings inherited from this
 * process, no CI markers, plus `extra`.
 */
function childEnv(configHome: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith("SUNDIAL_") || KEYSTORE_BYPASS.includes(name)) delete env[name];
  }
  return { ...env, XDG_CONFIG_HOME: configHome, ...extra };
}

/** `npx hardhat keystore set --dev <name>` with the value on stdin (the dev keystore asks nothing else). */
function setDevKeystoreValue(configHome: string, name: string, value: string): void {
  const result = spawnSync(
    join(ROOT, "node_modules", ".bin", "hardhat"),
    ["keystore", "set", "--dev", name],
    {
      cwd: ROOT,
      env: childEnv(configHome, { PATH: `${join(process.execPath, "..")}:${process.env["PATH"] ?? ""}` }),
      input: value + "\n",
      encoding: "utf8",
    },
  );
  expect(result.status, result.stdout + result.stderr).to.equal(0);
  expect(result.stdout).to.include(`Key "${name}" set in the development keystore`);
}

/** A Hardhat config folder holding the fixture production keystore. */
function withFixtureKeystore(configHome: string): void {
  mkdirSync(join(configHome, "hardhat-nodejs"), { recursive: true });
  copyFileSync(FIXTURE_KEYSTORE, join(configHome, "hardhat-nodejs", "keystore.json"));
}

/** `tsx keepers/funding/main.ts <args>` with `stdin` written to its standard input, then closed. */
function startFundingKeeperWithStdin(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  stdin: string,
  logDir: string,
): ManagedProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "keepers/funding/main.ts", ...args], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(stdin);
  return new ManagedProcess(name, child, join(logDir, `${name}.log`));
}

async function deployed() {
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const mocks = await deployLocalMocks(connection, config, signers[4]!.address);
  const record = await deploySystem(connection, config, mocks);
  return { record };
}

describe("keeper CLIs: how main.ts finds its arguments", function () {
  const main = join(ROOT, "keepers", "funding", "main.ts");
  const url = pathToFileURL(main).href;

  it("takes the arguments after the script when run directly (tsx, node --import tsx)", function () {
    expect(detectInvocation(url, ["/usr/bin/node", main, "--rpc-url", "http://x"], ROOT)).to.deep.equal({
      runner: "direct",
      argv: ["--rpc-url", "http://x"],
    });
    expect(detectInvocation(url, ["/usr/bin/node", "keepers/funding/main.ts", "--help"], ROOT)).to.deep.equal(
      {
        runner: "direct",
        argv: ["--help"],
      },
    );
  });

  it("recognises `hardhat run` (every argument is Hardhat's) and defaults the key to the network's", function () {
    const argv = [
      "/usr/bin/node",
      "/x/hardhat/dist/src/cli.js",
      "run",
      "--network",
      "n",
      "keepers/funding/main.ts",
    ];
    expect(detectInvocation(url, argv, ROOT)).to.deep.equal({ runner: "hardhat-run", argv: [] });
    const config = parseFundingConfig([], { SUNDIAL_RPC_URL: "http://127.0.0.1:8545" }, "hardhat-run");
    expect(config.keySource).to.equal("hardhat");
    expect(config.hardhatNetwork).to.equal(undefined);
    const explicit = parseFundingConfig(
      [],
      { SUNDIAL_RPC_URL: "http://127.0.0.1:8545", SUNDIAL_KEY_SOURCE: "env" },
      "hardhat-run",
    );
    expect(explicit.keySource).to.equal("env");
    expect(parseFundingConfig(["--rpc-url", "http://127.0.0.1:8545"], {}).keySource).to.equal("env");
    expect(optionsFor(FUNDING_OPTIONS, "direct")).to.deep.equal([...FUNDING_OPTIONS]);
  });

  it("does not recognise a script that is not named on the command line (imported by something else)", function () {
    expect(
      detectInvocation(url, ["/usr/bin/node", "/x/mocha/bin/mocha.js", "test/x.test.ts"], ROOT),
    ).to.equal(undefined);
    expect(detectInvocation(url, ["/usr/bin/node"], ROOT)).to.equal(undefined);
  });

  it("reads a keeper's own Hardhat network option and refuses the matcher's renamed variable", function () {
    expect(FUNDING_KEEPER.hardhatNetwork).to.equal("sundialFunding");
    const funding = parseFundingConfig(["--rpc-url", "http://127.0.0.1:8545"], {
      SUNDIAL_FUNDING_KEEPER_HARDHAT_NETWORK: "mine",
    });
    expect(funding.hardhatNetwork).to.equal("mine");
    expect(LIQUIDATION_KEEPER.envPrefix).to.equal("SUNDIAL_LIQUIDATION_KEEPER");
    expect(() => parseMatcherConfig([], { SUNDIAL_KEY_ENV: "X" })).to.throw(
      ConfigError,
      /\$SUNDIAL_KEY_ENV was renamed \$SUNDIAL_MATCHER_KEY_ENV/,
    );
  });
});

describe("keeper CLIs: replacement of stuck transactions", function () {
  const rpc = ["--rpc-url", "http://127.0.0.1:8545"];

  it("defaults to a replacement after 30 s, +12.5 % fees and a 500 gwei fee cap", function () {
    expect(parseFundingConfig(rpc, {}).feeBump).to.deep.equal({
      replaceAfterMs: 30_000,
      bumpBps: 1_250,
      maxFeePerGasCap: 500n * 10n ** 9n,
    });
  });

  it("reads the replacement options from flags and the environment, for the matcher too", function () {
    const config = parseMatcherConfig([...rpc, "--tx-replace-after-sec", "12", "--tx-max-fee-gwei", "0.05"], {
      SUNDIAL_TX_FEE_BUMP_BPS: "2000",
    });
    expect(config.feeBump).to.deep.equal({
      replaceAfterMs: 12_000,
      bumpBps: 2_000,
      maxFeePerGasCap: 50_000_000n,
    });
  });

  it("refuses a bump nodes would not accept, and a fee cap that is not a positive amount of gwei", function () {
    let thrown: unknown;
    try {
      parseFundingConfig(
        [...rpc, "--tx-fee-bump-bps", "1000", "--tx-max-fee-gwei", "0", "--tx-replace-after-sec", "0"],
        {
          SUNDIAL_TX_MAX_FEE_GWEI: "ignored",
        },
      );
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join("\n");
    expect(problems).to.match(/--tx-fee-bump-bps .* must be ≥ 1250, got 1000/);
    expect(problems).to.match(/--tx-max-fee-gwei .* must be positive, got 0/);
    expect(problems).to.match(/--tx-replace-after-sec .* must be ≥ 1, got 0/);
    expect(() => parseFundingConfig(rpc, { SUNDIAL_TX_MAX_FEE_GWEI: "1e3" })).to.throw(
      ConfigError,
      /must be an amount of gwei, got "1e3"/,
    );
  });
});

describe("keeper CLIs as child processes: keys from Hardhat", function () {
  let rpcUrl: string;
  let server: Server;
  let workDir: string;
  let recordFile: string;
  let clearinghouse: string;
  const children: ManagedProcess[] = [];

  before(async function () {
    const { record } = await networkHelpers.loadFixture(deployed);
    workDir = mkdtempSync(join(tmpdir(), "sundial-cli-"));
    recordFile = join(workDir, "deployment.json");
    writeDeploymentRecord(recordFile, record);
    clearinghouse = record.contracts.clearinghouse;
    ({ url: rpcUrl, server } = await serveJsonRpc(connection.provider as unknown as Rpc));
  });

  afterEach(async function () {
    for (const child of children.splice(0)) await child.stop("SIGKILL", 5_000);
  });

  after(async function () {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("hardhat run --network sundialFunding starts the funding keeper with its key from the development keystore", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    const key = Wallet.createRandom();
    setDevKeystoreValue(configHome, "SUNDIAL_FUNDING_KEEPER_KEY", key.privateKey);
    await networkHelpers.setBalance(key.address, 10n ** 18n);
    const keeper = startHardhatProcess(
      "funding-keeper-hardhat-run",
      ["run", "--no-compile", "--network", "sundialFunding", "keepers/funding/main.ts"],
      childEnv(configHome, {
        SUNDIAL_RPC_URL: rpcUrl,
        SUNDIAL_DEPLOYMENT: recordFile,
        SUNDIAL_FUNDING_KEEPER_METRICS_PORT: String(await freePort()),
      }),
      workDir,
    );
    children.push(keeper);
    const started = await keeper.waitForLog("funding keeper starting", 120_000);
    expect(started).to.deep.include({
      from: key.address,
      keySource: "hardhat",
      hardhatNetwork: "sundialFunding",
    });
    expect(keeper.lines.join("\n")).to.not.include(key.privateKey.slice(2));
    expect(await keeper.stop("SIGTERM")).to.equal(0);
  });

  it("npm run matcher -- --key-source hardhat reads the network's configuration variable (environment override)", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    const key = Wallet.createRandom();
    const matcher = startTsProcess(
      "matcher-key-source-hardhat",
      "keepers/matcher/main.ts",
      [
        "--rpc-url",
        rpcUrl,
        "--deployment",
        recordFile,
        "--key-source",
        "hardhat",
        "--db",
        join(workDir, "matcher.sqlite"),
        "--port",
        "0",
        "--cancel-poll-ms",
        "0",
      ],
      childEnv(configHome, { SUNDIAL_MATCHER_KEY: key.privateKey }),
      workDir,
      true,
    );
    children.push(matcher);
    const started = await matcher.waitForLog("matcher starting", 120_000);
    expect(started).to.deep.include({
      from: key.address,
      keySource: "hardhat",
      hardhatNetwork: "sundialMatcher",
      clearinghouse,
      clearinghouseSource: "deployment",
    });
    await matcher.waitForLog("matcher listening", 60_000);
    expect(await matcher.stop("SIGTERM")).to.equal(0);
  });

  it("--key-source hardhat unlocks the production keystore with the password read from stdin", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    withFixtureKeystore(configHome);
    await networkHelpers.setBalance(FIXTURE_KEYSTORE_ADDRESS, 10n ** 18n);
    const keeper = startFundingKeeperWithStdin(
      "funding-keeper-production-keystore",
      ["--rpc-url", rpcUrl, "--deployment", recordFile, "--key-source", "hardhat", "--metrics-port", "0"],
      childEnv(configHome, {}),
      FIXTURE_KEYSTORE_PASSWORD + "\n",
      workDir,
    );
    children.push(keeper);
    const started = await keeper.waitForLog("funding keeper starting", 120_000);
    expect(started).to.deep.include({
      from: FIXTURE_KEYSTORE_ADDRESS,
      keySource: "hardhat",
      hardhatNetwork: "sundialFunding",
    });
    // The prompt's line is ended: every log line after it is one JSON object.
    expect(keeper.lines[0]).to.equal("[hardhat-keystore] Enter the password: ");
    expect(keeper.lines.slice(1).every((line) => line === "" || line.startsWith("{"))).to.equal(true);
    expect(await keeper.stop("SIGTERM")).to.equal(0);
  });

  it("a keystore password prompt on a stdin at its end exits with status 2 instead of status 0", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    withFixtureKeystore(configHome);
    const keeper = startFundingKeeperWithStdin(
      "funding-keeper-no-password",
      ["--rpc-url", rpcUrl, "--deployment", recordFile, "--key-source", "hardhat", "--metrics-port", "0"],
      childEnv(configHome, {}),
      "",
      workDir,
    );
    children.push(keeper);
    expect(await keeper.exited).to.equal(2);
    const output = keeper.lines.join("\n");
    expect(output).to.include("funding keeper did not start");
    expect(output).to.include('reading the key of Hardhat network "sundialFunding"');
    expect(keeper.logs("funding keeper starting")).to.have.length(0);
  });

  it("hardhat run with the key nowhere exits with status 2 naming the variable, instead of doing nothing", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    const keeper = startHardhatProcess(
      "liquidation-keeper-no-key",
      ["run", "--no-compile", "--network", "sundialLiquidation", "keepers/liquidation/main.ts"],
      childEnv(configHome, { SUNDIAL_RPC_URL: rpcUrl, SUNDIAL_DEPLOYMENT: recordFile }),
      workDir,
    );
    children.push(keeper);
    expect(await keeper.exited).to.equal(2);
    const output = keeper.lines.join("\n");
    expect(output).to.include('the key of Hardhat network "sundialLiquidation" could not be resolved');
    expect(output).to.include("SUNDIAL_LIQUIDATION_KEEPER_KEY");
  });

  it("a network without private keys is refused with the reason", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    const keeper = startTsProcess(
      "funding-keeper-remote-accounts",
      "keepers/funding/main.ts",
      [
        "--rpc-url",
        rpcUrl,
        "--deployment",
        recordFile,
        "--key-source",
        "hardhat",
        "--hardhat-network",
        "localhost",
      ],
      childEnv(configHome, {}),
      workDir,
      true,
    );
    children.push(keeper);
    expect(await keeper.exited).to.equal(2);
    expect(keeper.lines.join("\n")).to.match(/"localhost" is http with "remote"/);
  });

  it("main.ts loaded without being named on the command line exits with status 2 instead of doing nothing", async function () {
    const configHome = mkdtempSync(join(workDir, "config-"));
    const child = startTsProcess(
      "funding-keeper-imported",
      "--eval",
      ["await import('./keepers/funding/main.ts')"],
      childEnv(configHome, {}),
      workDir,
      true,
    );
    children.push(child);
    expect(await child.exited).to.equal(2);
    expect(child.lines.join("\n")).to.include("is not named on the command line");
  });
});
