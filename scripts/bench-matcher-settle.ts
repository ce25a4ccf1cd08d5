/**
 * Matcher end to end on a real, independent node: orders accepted and matches settled per second.
 *
 *  1. setup (not measured): a separately started `anvil` (HTTP JSON-RPC, automine) on a Saturday
 *     (CLOSED session, 4×, the local mock oracles: no oracle keeper needed), the whole system deployed
 *     with the Ignition modules (`scripts/lib/system.ts`, as `npm run deploy:local`), N traders
 *     (default 100) funded with 100,000 USDC each, the matcher's real CLI started as a child process
 *     with its defaults (`--batch-size 40`, a batch every `--settle-interval-ms 1000`), and every
 *     order signed in advance: 1-share AAPL orders at the index price, even traders buy and odd
 *     traders sell, so every order fills completely against one order of the other side;
 *  2. measured: the orders posted over HTTP with the SDK's `MatcherClient` by 16 concurrent clients
 *     (validation reads the chain over JSON-RPC), then the time until the clearinghouse has emitted
 *     `MatchSettled` for every match (the matcher's own settlement loop, nothing else sends);
 *  3. from the receipts: batches, matches per batch, whole-transaction gas per match.
 *
 * Run: `npm run bench:matcher-settle` (`BENCH_ORDERS` (default 2,000), `BENCH_TRADERS` (default
 * 100), `BENCH_CLIENTS` (default 16)).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet, hexlify, randomBytes } from "ethers";
import { loadDeploymentConfig, parametersFile } from "../deploy/config.js";
import { loadCalendarFile } from "../sdk/calendar.js";
import { MatcherClient } from "../sdk/matcher.js";
import { orderDomain, signOrder, type Order } from "../sdk/orders.js";
import { IClearinghouse__factory } from "../typechain-types/index.js";
import { devKey, freePort, rpc, startNode, startTsProcess, waitFor } from "./lib/processes.js";
import { deployOverRpc, fundTraders, nextClosedSaturday, removeJournals } from "./lib/system.js";

const ORDERS = 2 * Math.floor(Math.max(2, Number(process.env["BENCH_ORDERS"] ?? "2000")) / 2);
const TRADERS = 2 * Math.floor(Math.max(2, Number(process.env["BENCH_TRADERS"] ?? "100")) / 2);
const CLIENTS = Math.max(1, Number(process.env["BENCH_CLIENTS"] ?? "16"));
const MATCHES = ORDERS / 2;
/** Development account 3 holds MATCHER_ROLE in `deploy/parameters/local.json`. */
const MATCHER_ACCOUNT = 3;
const X18 = 10n ** 18n;

const workDir = mkdtempSync(join(tmpdir(), "sundial-bench-settle-"));
const anvil = await startNode("anvil", workDir);
let journals: string[] = [];
const children = [anvil.process];
/**
 * Never leave the node, the matcher or the work folder behind, even when the benchmark fails (the
 * children would keep this process alive after an error, so the `exit` event alone is not enough).
 */
function cleanUp(): void {
  // SIGTERM: the `anvil` npm wrapper forwards it to the node binary (SIGKILL would orphan it).
  for (const child of children) if (child.running) child.child.kill("SIGTERM");
  removeJournals(journals);
  rmSync(workDir, { recursive: true, force: true });
}

async function bench(): Promise<void> {
  const provider = new JsonRpcProvider(anvil.url, undefined, { pollingInterval: 250, cacheTimeout: -1 });
  const latest = await rpc<{ timestamp: string }>(anvil.url, "eth_getBlockByNumber", ["latest", false]);
  const saturday = nextClosedSaturday(Number(BigInt(latest.timestamp)), await loadCalendarFile());
  await rpc(anvil.url, "evm_setNextBlockTimestamp", [saturday]);
  await rpc(anvil.url, "evm_mine");

  const deployed = await deployOverRpc(anvil.url, workDir, "bench-settle");
  journals = deployed.journals;
  const { record } = deployed;
  const aapl = loadDeploymentConfig(parametersFile("local")).markets.find((m) => m.symbol === "AAPL");
  if (aapl === undefined) throw new Error("no AAPL market in deploy/parameters/local.json");
  const traders = Array.from({ length: TRADERS }, () => new Wallet(hexlify(randomBytes(32))));
  let started = performance.now();
  await fundTraders(
    provider,
    record,
    traders.map((t) => ({ owner: t.address, usdc: "100000" })),
  );
  console.error(`${TRADERS} traders funded: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Every order signed before the clock starts: 1 share of AAPL at the market's index price.
  const { chainId } = await provider.getNetwork();
  const domain = orderDomain(chainId, record.contracts.clearinghouse);
  const expiry = BigInt(saturday + 86_400);
  const nonces = new Map<string, bigint>();
  const signed: { order: Order; signature: string }[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const pair = Math.floor(i / 2) % (TRADERS / 2);
    const isBuy = i % 2 === 0;
    const trader = traders[2 * pair + (isBuy ? 0 : 1)]!;
    const nonce = (nonces.get(trader.address) ?? 0n) + 1n;
    nonces.set(trader.address, nonce);
    const order: Order = {
      owner: trader.address,
      subaccount: 0n,
      signer: trader.address,
      marketId: aapl.marketId,
      isBuy,
      sizeX18: X18,
      limitPriceX18: aapl.initialPriceX18,
      expiry,
      nonce,
      epoch: 0n,
      flags: 0,
    };
    signed.push({ order, signature: await signOrder(trader, domain, order) });
  }

  const port = await freePort();
  const matcherProcess = startTsProcess(
    "matcher",
    "keepers/matcher/main.ts",
    [
      "--rpc-url",
      anvil.url,
      "--deployment",
      deployed.recordFile,
      "--db",
      join(workDir, "matcher.sqlite"),
      "--port",
      String(port),
    ],
    { SUNDIAL_MATCHER_KEY: devKey(MATCHER_ACCOUNT) },
    workDir,
  );
  children.push(matcherProcess);
  const matcher = new MatcherClient(`http://127.0.0.1:${port}`);
  await waitFor("the matcher's API", async () => (await matcher.getHealth()).status === "ok", 120_000);

  const clearinghouse = IClearinghouse__factory.connect(record.contracts.clearinghouse, provider);
  const fromBlock = await provider.getBlockNumber();
  const settledEvents = () => clearinghouse.queryFilter(clearinghouse.filters.MatchSettled(), fromBlock);
  let settledLogs: Awaited<ReturnType<typeof settledEvents>> = [];

  // ------------------------------------------------------------------------------------- measured
  started = performance.now();
  let next = 0;
  let refused = 0;
  const client = async (): Promise<void> => {
    while (next < signed.length) {
      const order = signed[next++]!;
      try {
        await matcher.submitOrder(order);
      } catch (err) {
        refused++;
        if (refused <= 5) console.error(`refused: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const acceptedMs = performance.now() - started;
  console.error(`${ORDERS} orders posted in ${(acceptedMs / 1000).toFixed(1)} s (${refused} refused)`);
  if (refused > 0) throw new Error(`${refused} orders refused`);

  await waitFor(
    `${MATCHES} MatchSettled events`,
    async () => {
      if (!matcherProcess.running) throw new Error(`matcher exited:\n${matcherProcess.tail()}`);
      settledLogs = await settledEvents();
      return settledLogs.length >= MATCHES;
    },
    30 * 60_000,
    100,
  );
  const settledMs = performance.now() - started;
  // -------------------------------------------------------------------------------- end measured

  const skipped = await clearinghouse.queryFilter(clearinghouse.filters.MatchSkipped(), fromBlock);
  if (settledLogs.length !== MATCHES || skipped.length > 0) {
    throw new Error(`${settledLogs.length} settled, ${skipped.length} skipped; expected ${MATCHES} settled`);
  }
  /** Each batch (one transaction) with its matches and whether one of them opened a position. */
  const perTx = new Map<string, { matches: number; opens: boolean }>();
  const traded = new Set<string>();
  for (const log of settledLogs) {
    const accounts = [log.args.maker, log.args.taker];
    const batch = perTx.get(log.transactionHash) ?? { matches: 0, opens: false };
    batch.matches++;
    for (const account of accounts) {
      if (!traded.has(account)) batch.opens = true;
      traded.add(account);
    }
    perTx.set(log.transactionHash, batch);
  }
  const batches = await Promise.all(
    [...perTx].map(async ([hash, b]) => {
      const receipt = (await provider.getTransactionReceipt(hash))!;
      return { ...b, block: receipt.blockNumber, gasUsed: receipt.gasUsed };
    }),
  );
  batches.sort((a, b) => a.block - b.block);
  const gasPerMatch = (list: typeof batches): number | null => {
    const matches = list.reduce((sum, b) => sum + b.matches, 0);
    return matches === 0 ? null : Math.round(Number(list.reduce((sum, b) => sum + b.gasUsed, 0n)) / matches);
  };
  const full = batches.filter((b) => b.matches === 40);
  const perMatch = batches.map((b) => Math.round(Number(b.gasUsed) / b.matches));

  /** The matcher's own `batch_duration_seconds` histogram: build, simulate, sign, send, receipt, apply. */
  const metrics = await matcher.getMetrics();
  const metric = (name: string): number =>
    Number(
      new RegExp(`^sundial_matcher_batch_duration_seconds_${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(
        metrics,
      )?.[1],
    );
  const batchSecondsMean = metric("sum") / metric("count");

  await matcherProcess.stop();
  await anvil.process.stop();
  console.log(
    JSON.stringify(
      {
        node: "anvil (automine, HTTP JSON-RPC)",
        session: "CLOSED (Saturday, mock oracles)",
        machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`,
        orders: ORDERS,
        traders: TRADERS,
        clients: CLIENTS,
        matcher: "defaults: --batch-size 40, --settle-interval-ms 1000",
        acceptSeconds: +(acceptedMs / 1000).toFixed(2),
        ordersAcceptedPerSecond: +((ORDERS / acceptedMs) * 1000).toFixed(1),
        settleSeconds: +(settledMs / 1000).toFixed(2),
        matchesSettled: settledLogs.length,
        matchesSettledPerSecond: +((MATCHES / settledMs) * 1000).toFixed(1),
        batches: batches.length,
        batchSecondsMean: +batchSecondsMean.toFixed(2),
        matchesPerBatch: batches.map((b) => b.matches),
        gasPerMatchAll: gasPerMatch(batches),
        gasPerMatchFullBatchesIncreasing: gasPerMatch(full.filter((b) => !b.opens)),
        gasPerMatchFullBatchesWithOpens: gasPerMatch(full.filter((b) => b.opens)),
        gasPerMatchByBatch: perMatch,
      },
      null,
      2,
    ),
  );
}

try {
  await bench();
} finally {
  cleanUp();
}
