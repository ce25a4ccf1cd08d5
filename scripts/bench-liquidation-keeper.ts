/**
 * Liquidation keeper and settlement figures on Hardhat's in-process chain (EDR; `BENCH_NODE=anvil`:
 * a separately started `anvil`, every call over HTTP JSON-RPC), the whole system deployed with the
 * Ignition modules and the local mocks, on a Saturday (CLOSED session, 4×):
 *
 *  1. setup (not measured): N fresh accounts (default 10,000), each with collateral and a 1-share
 *     AAPL position, opened by N/2 signed matches settled in `settleMatches` batches of the matcher's
 *     default size (40) — their receipts give the gas per match when both sides open a position;
 *  2. gas per match on existing positions: one more batch of 40 matches that increase positions;
 *  3. indexing: `AccountIndexer.sync` from the deployment block (every `MatchSettled` event);
 *  4. the scan: `HealthScanner.scan` of every account over `EthersLiquidationChain`
 *     (`LiquidationEngine.accountsHealth`, one `eth_call` per batch) at several batch sizes,
 *     best of two runs each; and the gas of `accountsHealth` per account (which bounds the batch
 *     size under a node's `eth_call` gas cap).
 *
 * Run: `npm run bench:liquidation-keeper` (`BENCH_ACCOUNTS=2000` for a shorter run; default 10,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, hexlify, randomBytes } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../deploy/system.js";
import { EthersLiquidationChain } from "../keepers/liquidation/chain.js";
import { AccountIndexer } from "../keepers/liquidation/indexer.js";
import { HealthScanner } from "../keepers/liquidation/scanner.js";
import { LiquidationStore } from "../keepers/liquidation/store.js";
import { silentLogger } from "../keepers/lib/logger.js";
import { DEFAULT_RETRY } from "../keepers/lib/submitter.js";
import { loadCalendarFile } from "../sdk/calendar.js";
import { accountId, orderDomain, signOrder, type Order } from "../sdk/orders.js";
import { startNode } from "./lib/processes.js";
import { nextClosedSaturday } from "./lib/system.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  ILiquidationEngine__factory,
  MockUSDC__factory,
} from "../typechain-types/index.js";

const ACCOUNTS = Math.max(80, Number(process.env["BENCH_ACCOUNTS"] ?? "10000"));
const NODE = process.env["BENCH_NODE"] === "anvil" ? "anvil" : "in-process";
/** The matcher's default `--batch-size`. */
const BATCH = 40;
const SCAN_BATCH_SIZES = [50, 100, 200];
const X18 = 10n ** 18n;
const USDC = 10n ** 6n;

function ms(start: number): number {
  return performance.now() - start;
}

const workDir = mkdtempSync(join(tmpdir(), "sundial-bench-"));
const anvil = NODE === "anvil" ? await startNode("anvil", workDir) : undefined;
const ids = { deploymentId: `bench-${process.pid}-${Date.now()}` };
const journals = [ids.deploymentId, `${ids.deploymentId}-mocks`].map((id) =>
  join("deploy", "deployments", id),
);
// Never leave the node, the work folder or the Ignition journals behind, even when the benchmark fails.
process.on("exit", () => {
  anvil?.process.child.kill("SIGKILL");
  for (const dir of [workDir, ...journals]) rmSync(dir, { recursive: true, force: true });
});
try {
  const connection =
    anvil === undefined
      ? await network.create()
      : await network.create({ network: "localhost", override: { url: anvil.url } });
  const { ethers } = connection;
  const latest = async (): Promise<number> => (await ethers.provider.getBlock("latest"))!.timestamp;
  const calendar = await loadCalendarFile();
  await ethers.provider.send("evm_setNextBlockTimestamp", [nextClosedSaturday(await latest(), calendar)]);
  await ethers.provider.send("evm_mine", []);

  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const deployer = signers[0]!;
  const matcher = signers[3]!;
  const mocks = await deployLocalMocks(connection, config, signers[4]!.address, {
    deploymentId: `${ids.deploymentId}-mocks`,
  });
  const record = await deploySystem(connection, config, mocks, ids);
  const engineAddress = record.contracts.liquidationEngine;
  const clearinghouse = Clearinghouse__factory.connect(record.contracts.clearinghouse, matcher);
  const vault = CollateralVault__factory.connect(record.contracts.vault, deployer);
  const usdc = MockUSDC__factory.connect(record.contracts.collateralToken, deployer);
  const aapl = config.markets[0]!;
  const { chainId } = await ethers.provider.getNetwork();
  const domain = orderDomain(chainId, record.contracts.clearinghouse);
  const expiry = BigInt(await latest()) + 86_400n;

  // ---------------------------------------------------------------------------------------- setup
  let started = performance.now();
  const wallets = Array.from({ length: ACCOUNTS }, () => new Wallet(hexlify(randomBytes(32))));
  const deposit = 300n * USDC;
  await (await usdc.mint(deployer.address, deposit * BigInt(ACCOUNTS))).wait();
  await (await usdc.approve(record.contracts.vault, deposit * BigInt(ACCOUNTS))).wait();
  for (const w of wallets) await vault.depositFor(accountId(w.address, 0n), deposit);
  console.error(`deposits for ${ACCOUNTS} accounts: ${(ms(started) / 1000).toFixed(1)} s`);

  /** Per-account nonces 1, 2, …: one nonce-bitmap word per account, as a trader's orders use. */
  const nonces = new Map<string, bigint>();
  function order(w: Wallet, isBuy: boolean): Order {
    const nonce = (nonces.get(w.address) ?? 0n) + 1n;
    nonces.set(w.address, nonce);
    return {
      owner: w.address,
      subaccount: 0n,
      signer: w.address,
      marketId: aapl.marketId,
      isBuy,
      sizeX18: X18,
      limitPriceX18: aapl.initialPriceX18,
      expiry,
      nonce,
      epoch: 0n,
      flags: 0,
    };
  }

  async function match(maker: Wallet, taker: Wallet) {
    const m = order(maker, true);
    const t = order(taker, false);
    return {
      maker: m,
      makerSignature: await signOrder(maker, domain, m),
      taker: t,
      takerSignature: await signOrder(taker, domain, t),
      fillSizeX18: X18,
    };
  }

  /** Settles `pairs` in batches of BATCH; returns the gas of each full batch. */
  async function settle(pairs: [Wallet, Wallet][]): Promise<bigint[]> {
    const gas: bigint[] = [];
    for (let i = 0; i < pairs.length; i += BATCH) {
      const batch = await Promise.all(pairs.slice(i, i + BATCH).map(([a, b]) => match(a, b)));
      const receipt = await (await clearinghouse.settleMatches(batch, { gasLimit: 16_000_000n })).wait();
      const settled = receipt!.logs.filter(
        (l) => clearinghouse.interface.parseLog(l)?.name === "MatchSettled",
      ).length;
      if (settled !== batch.length) throw new Error(`batch ${i / BATCH}: ${settled}/${batch.length} settled`);
      if (batch.length === BATCH) gas.push(receipt!.gasUsed);
    }
    return gas;
  }

  started = performance.now();
  const pairs: [Wallet, Wallet][] = [];
  for (let i = 0; i + 1 < ACCOUNTS; i += 2) pairs.push([wallets[i]!, wallets[i + 1]!]);
  const openGas = await settle(pairs);
  console.error(`${pairs.length} opening matches settled: ${(ms(started) / 1000).toFixed(1)} s`);
  const increaseGas = await settle(pairs.slice(0, BATCH));

  const perMatch = (gas: bigint[]): string => {
    const total = gas.reduce((a, b) => a + b, 0n);
    return (Number(total / BigInt(gas.length)) / BATCH).toFixed(0);
  };

  // ---------------------------------------------------------------------------------------- indexing
  const chain = await EthersLiquidationChain.connect(
    ethers.provider,
    record.contracts.clearinghouse,
    engineAddress,
  );
  const store = new LiquidationStore(":memory:");
  started = performance.now();
  const sync = await new AccountIndexer(
    chain,
    store,
    { startBlock: record.deployedAtBlock, confirmations: 0, maxRange: 2_000, reorgRewindBlocks: 64 },
    silentLogger,
  ).sync();
  const indexMs = ms(started);
  const accounts = store.accounts();
  if (accounts.length !== ACCOUNTS)
    throw new Error(`indexed ${accounts.length} accounts, expected ${ACCOUNTS}`);

  // ---------------------------------------------------------------------------------------- scan
  const scans: { batchSize: number; bestMs: number; batches: number; liquidatable: number }[] = [];
  for (const batchSize of SCAN_BATCH_SIZES) {
    const scanner = new HealthScanner(
      chain,
      { batchSize, concurrency: 4, retry: DEFAULT_RETRY },
      silentLogger,
    );
    let best = Infinity;
    let last;
    for (let run = 0; run < 2; run++) {
      last = await scanner.scan(accounts);
      best = Math.min(best, last.durationMs);
    }
    scans.push({ batchSize, bestMs: best, batches: last!.batches, liquidatable: last!.liquidatable.length });
    console.error(`scan of ${accounts.length} accounts in batches of ${batchSize}: ${Math.round(best)} ms`);
  }
  /** Execution gas of `accountsHealth` per account (a 50-account call), which bounds the batch size. */
  const HEALTH_SAMPLE = 50;
  const gasOfSample = await ethers.provider.estimateGas({
    to: engineAddress,
    data: ILiquidationEngine__factory.createInterface().encodeFunctionData("accountsHealth", [
      accounts.slice(0, HEALTH_SAMPLE),
    ]),
  });

  console.log(
    JSON.stringify(
      {
        accounts: ACCOUNTS,
        node: NODE,
        session: "CLOSED",
        matcherBatch: BATCH,
        gasPerMatchOpenBothSides: perMatch(openGas),
        gasPerMatchIncrease: perMatch(increaseGas),
        batchGasOpen: openGas[0]?.toString(),
        indexing: { blocks: sync.to - sync.from + 1, ranges: sync.ranges, ms: Math.round(indexMs) },
        scans: scans.map((s) => ({ ...s, bestMs: Math.round(s.bestMs) })),
        accountsHealthGasFor50: gasOfSample.toString(),
        accountsHealthGasPerAccount: Math.round(Number(gasOfSample) / HEALTH_SAMPLE),
      },
      null,
      2,
    ),
  );
  store.close();
  await connection.close();
} finally {
  // Without this a failure would leave the process waiting on the node (it keeps the loop alive).
  await anvil?.process.stop();
}
