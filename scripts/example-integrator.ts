/**
 * A runnable integrator example (docs/integrators.md): `hardhat run scripts/example-integrator.ts`.
 *
 * The operator's side, all in this process: Hardhat's in-process chain (starting on Saturday
 * 2026-12-05, when US equities are CLOSED and Sundial prices from its anchor, so no oracle keeper is
 * needed), the local system deployed as `deploy:local` does, and the matcher service (engine, SQLite
 * store, batch settler with its own MATCHER_ROLE key, HTTP API) on an ephemeral port.
 *
 * The integrator's side uses only the SDK (`sdk/index.ts`) and never pays gas to trade: two traders
 * deposit USDC, sign AAPL orders and submit them over HTTP with `MatcherClient`; the matcher settles
 * the fill on chain; they read the fill, their positions and health, and the book; Alice cancels a
 * resting order with a signed message; Bob withdraws with a signature that a relayer submits.
 * Exercised by `test/sdk/clients.test.ts`.
 */
import { Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../deploy/system.js";
import { JsonLogger } from "../keepers/lib/logger.js";
import { WalletSubmitter } from "../keepers/lib/submitter.js";
import { EthersMatcherChain } from "../keepers/matcher/chain.js";
import { MatcherService } from "../keepers/matcher/service.js";
import {
  FLAG_POST_ONLY,
  MatcherApiError,
  MatcherClient,
  Session,
  accountId,
  cancelDomain,
  connectSundial,
  loadCalendarFile,
  signCancel,
} from "../sdk/index.js";
import { MockUSDC__factory } from "../typechain-types/index.js";

const X18 = 10n ** 18n;
const USDC = 10n ** 6n;
const usd = (x18: bigint): string => (Number(x18 / 10n ** 14n) / 10_000).toFixed(2);
const shares = (x18: bigint): string => String(Number(x18 / 10n ** 15n) / 1_000);

// ================================================================ the operator's side (local)

// The chain starts just before the example's Saturday, whatever today's date is.
const connection = await network.create({ override: { initialDate: "2026-12-05T00:00:00Z" } });
const { ethers, networkHelpers } = connection;
const signers = await ethers.getSigners();
const [deployer, alice, bob, relayer] = [signers[0], signers[6], signers[7], signers[8]];
if (deployer === undefined || alice === undefined || bob === undefined || relayer === undefined) {
  throw new Error("the in-process chain has too few accounts");
}

const SATURDAY_NOON = Date.parse("2026-12-05T12:00:00Z") / 1000;
await networkHelpers.time.increaseTo(SATURDAY_NOON);
if ((await loadCalendarFile()).sessionAt(SATURDAY_NOON) !== Session.CLOSED) {
  throw new Error("expected the market to be closed on Saturday");
}

// The matcher's own key (a fresh one per run, never written anywhere): MATCHER_ROLE and gas money.
const matcherKey = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
await networkHelpers.setBalance(matcherKey.address, 10n ** 20n);
const config = loadDeploymentConfig(parametersFile("local"));
config.roles.matcher = matcherKey.address;
const mocks = await deployLocalMocks(connection, config, deployer.address);
const deployment = await deploySystem(connection, config, mocks);
console.log(`deployed Sundial: clearinghouse ${deployment.contracts.clearinghouse}`);

// The matcher reads the chain's clock (2026-12-05 here), not the wall clock. Hardhat's chain keeps
// advancing with the wall clock from where it was moved, so the offset measured once gives its time.
const clockOffset = (await networkHelpers.time.latest()) - Math.floor(Date.now() / 1000);
const chainNow = (): bigint => BigInt(Math.floor(Date.now() / 1000) + clockOffset);
const logger = new JsonLogger({ level: "warn", sink: (line) => process.stderr.write(line + "\n") });
const service = new MatcherService(
  {
    dbPath: ":memory:",
    host: "127.0.0.1",
    port: 0,
    batchSize: 40,
    settleIntervalMs: 200,
    expiryMarginSec: 10n,
    cancelPollMs: 1_000,
    now: chainNow,
  },
  await EthersMatcherChain.connect(ethers.provider, deployment.contracts.clearinghouse),
  new WalletSubmitter(matcherKey, ethers.provider, logger, { receiptPollMs: 50 }),
  logger,
);
const matcherUrl = `http://127.0.0.1:${await service.start()}`;
console.log(`matcher listening on ${matcherUrl}`);

try {
  // ============================================================== the integrator's code
  const sundial = connectSundial(deployment, ethers.provider);
  const matcher = new MatcherClient(matcherUrl);

  // Deposit (the local USDC is a mock anyone can mint; on a real network the traders hold USDC).
  const usdc = MockUSDC__factory.connect(deployment.contracts.collateralToken, deployer);
  for (const trader of [alice, bob]) {
    await (await usdc.mint(trader.address, 20_000n * USDC)).wait();
    await sundial.deposit(trader, 0n, 20_000n * USDC);
  }
  console.log(`deposited: alice ${usd(await sundial.vault.collateralX18(accountId(alice.address, 0n)))} USD`);

  // Sign orders with the SDK and submit them over HTTP: no transaction, no gas.
  const aapl = sundial.marketId("AAPL");
  const mark = (await sundial.oracle.priceState(aapl)).markPriceX18;
  const common = { subaccount: 0n, market: "AAPL", sizeX18: 20n * X18, limitPriceX18: mark, flags: 0 };
  const expiry = chainNow() + 600n;
  const ask = await matcher.submitOrder(
    await sundial.signedOrder(alice, { ...common, owner: alice.address, isBuy: false, expiry, nonce: 1n }),
  );
  console.log(
    `alice's ask rests in the book: ${shares(ask.restingX18)} AAPL at ${usd(mark)} (${ask.status})`,
  );
  const bid = await matcher.submitOrder(
    await sundial.signedOrder(bob, { ...common, owner: bob.address, isBuy: true, expiry, nonce: 1n }),
  );
  console.log(`bob's bid matched on arrival: ${shares(bid.pendingX18)} AAPL pending settlement`);

  // The matcher settles the fill on chain in its next batch.
  const filled = await matcher.waitForOrder(bid.hash, (o) => o.status === "filled");
  const txHash = filled.fills[0]?.txHash;
  const receipt = txHash ? await ethers.provider.getTransactionReceipt(txHash) : null;
  if (receipt === null || receipt.from !== matcherKey.address)
    throw new Error("no settlement by the matcher");
  console.log(`settled on chain in block ${receipt.blockNumber} by the matcher's key: tx ${txHash}`);

  for (const [name, trader] of [
    ["alice", alice],
    ["bob", bob],
  ] as const) {
    const [position] = await sundial.positions(trader.address);
    const health = await sundial.accountHealth(trader.address);
    console.log(
      `${name}: position ${shares(position!.sizeX18)} AAPL at ${usd(mark)}, equity ${usd(health.equityX18)}, ` +
        `initial margin ${usd(health.initialMarginX18)}, withdrawable ${usd(health.withdrawableX18)}, ` +
        `liquidatable ${health.liquidatable}`,
    );
  }
  for (const fill of (await matcher.listFills(bob.address)).fills) {
    console.log(
      `bob's fill #${fill.fillId}: ${fill.role} ${fill.isBuy ? "buy" : "sell"} ${shares(fill.sizeX18)} AAPL ` +
        `at ${usd(fill.priceX18)}, ${fill.status}`,
    );
  }

  // Alice quotes a post-only ask above the mark, reads the book, then cancels the quote over HTTP.
  const quote = await sundial.signedOrder(alice, {
    ...common,
    owner: alice.address,
    isBuy: false,
    sizeX18: 5n * X18,
    limitPriceX18: mark + X18,
    expiry: chainNow() + 3_600n,
    nonce: 2n,
    flags: FLAG_POST_ONLY,
  });
  const quoted = await matcher.submitOrder(quote);
  const [bestAsk] = (await matcher.getBook("AAPL-USD")).asks;
  console.log(
    `book: best ask ${usd(bestAsk!.priceX18)} x ${shares(bestAsk!.sizeX18)} AAPL (${bestAsk!.orders} order)`,
  );
  try {
    await matcher.submitOrder(quote);
  } catch (err) {
    if (!(err instanceof MatcherApiError)) throw err;
    console.log(`submitting the quote again is refused: ${err.code} (HTTP ${err.status})`);
  }
  const deadline = chainNow() + 60n;
  const domain = cancelDomain(BigInt(deployment.chainId), deployment.contracts.clearinghouse);
  const signature = await signCancel(alice, domain, { orderHash: quoted.hash, deadline });
  const cancelled = await matcher.cancelOrder(quoted.hash, { signature, deadline });
  const asksLeft = (await matcher.getBook("AAPL-USD")).asks.length;
  console.log(`alice cancelled her quote: ${cancelled.status} (${cancelled.reason}), ${asksLeft} asks left`);
  const { orders } = await matcher.listOrders(alice.address);
  console.log(`alice's orders, newest first: ${orders.map((o) => o.status).join(", ")}`);

  // Bob withdraws 1,000 USDC without gas: he signs, a relayer submits.
  const before = await usdc.balanceOf(bob.address);
  const request = {
    owner: bob.address,
    subaccount: 0n,
    amount: 1_000n * USDC,
    to: bob.address,
    nonce: 1n,
    deadline: chainNow() + 3_600n,
  };
  const withdrawal = await sundial.signWithdrawal(bob, request);
  await sundial.connect(relayer).relayWithdrawal(request, withdrawal);
  console.log(`bob withdrew ${(await usdc.balanceOf(bob.address)) - before} token units via a relayer`);
} finally {
  await service.stop();
}
