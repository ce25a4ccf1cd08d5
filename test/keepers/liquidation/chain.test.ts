/**
 * The liquidation keeper over the real contracts on the in-process chain: the whole system deployed
 * with the Ignition modules, a weekday regular session with live Chainlink/Pyth mock prices pushed
 * by the oracle keeper's builders, positions opened through `settleMatches`, then a price move. The
 * keeper (`EthersLiquidationChain` + `WalletSubmitter`) learns the accounts from events, finds the
 * unhealthy one with `accountsHealth`, liquidates it into the backstop until it is healthy, and a
 * second keeper on the same database does nothing more. Prints the gas of a liquidation.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../../../deploy/system.js";
import { EthersLiquidationChain } from "../../../keepers/liquidation/chain.js";
import { LiquidationKeeper, type LiquidationKeeperConfig } from "../../../keepers/liquidation/keeper.js";
import { LiquidationStore } from "../../../keepers/liquidation/store.js";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { WalletSubmitter } from "../../../keepers/lib/submitter.js";
import { OracleKeeper } from "../../../keepers/oracle/keeper.js";
import { MockFeedAnswers, MockPythUpdates } from "../../../keepers/oracle/updates.js";
import { loadCalendarFile } from "../../../sdk/calendar.js";
import { accountId, orderDomain, signOrder, type Order } from "../../../sdk/orders.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  ILiquidationEngine__factory,
  IOracleAdapter__factory,
  MockUSDC__factory,
} from "../../../typechain-types/index.js";
import { devKey } from "../../e2e/processes.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const X18 = 10n ** 18n;
const USDC = 10n ** 6n;
const OPEN = 0n;

const CONFIG: LiquidationKeeperConfig = {
  indexer: { startBlock: 0, confirmations: 0, maxRange: 1_000, reorgRewindBlocks: 64 },
  scan: { batchSize: 100, concurrency: 2, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
  maxRoundsPerAccount: 10,
  retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
};

async function deployedInRegularHours() {
  const calendar = await loadCalendarFile();
  await networkHelpers.time.increaseTo(calendar.nextRegularOpen(await networkHelpers.time.latest()) + 2_700);
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const mocks = await deployLocalMocks(connection, config, signers[4]!.address);
  const record = await deploySystem(connection, config, mocks);
  const prices: Record<string, bigint> = Object.fromEntries(
    config.markets.map((m) => [m.symbol, m.initialPriceX18]),
  );
  const pusher = signers[4]!;
  // The development account 4 (its key is public): the oracle keeper's role locally.
  const pushWallet = new Wallet(devKey(4), ethers.provider);
  expect(pushWallet.address).to.equal(pusher.address);
  const oracle = new OracleKeeper(
    record.markets,
    record.contracts.oracleAdapter,
    { prices: async (symbols) => new Map(symbols.map((s) => [s, prices[s]!])) },
    [new MockFeedAnswers(), new MockPythUpdates(record.mocks!.pyth, ethers.provider)],
    new WalletSubmitter(pushWallet, ethers.provider, silentLogger, { receiptPollMs: 5 }),
    calendar,
    async () => networkHelpers.time.latest(),
    silentLogger,
    new MetricsRegistry("o_"),
  );
  await oracle.tick();
  await networkHelpers.time.increase(360); // past the reopening window
  await oracle.tick();
  const adapter = IOracleAdapter__factory.connect(record.contracts.oracleAdapter, ethers.provider);
  const aapl = record.markets[0]!.marketId;
  expect((await adapter.priceState(aapl)).state).to.equal(OPEN);
  return { record, signers, prices, oracle, aapl };
}

describe("liquidation keeper on the in-process chain", function () {
  it("learns accounts from events and liquidates an unhealthy one into the backstop until healthy", async function () {
    const { record, signers, prices, oracle, aapl } =
      await networkHelpers.loadFixture(deployedInRegularHours);
    const [deployer, matcher] = [signers[0]!, signers[3]!];
    const [alice, bob] = [signers[10]!, signers[11]!];
    const usdc = MockUSDC__factory.connect(record.contracts.collateralToken, deployer);
    const vault = CollateralVault__factory.connect(record.contracts.vault, deployer);
    await usdc.mint(deployer.address, 300_000n * USDC);
    await usdc.approve(record.contracts.vault, 300_000n * USDC);
    await vault.depositFor(accountId(alice.address, 0n), 245n * USDC);
    await vault.depositFor(accountId(bob.address, 0n), 100_000n * USDC);

    const clearinghouse = Clearinghouse__factory.connect(record.contracts.clearinghouse, matcher);
    const domain = orderDomain((await ethers.provider.getNetwork()).chainId, record.contracts.clearinghouse);
    const expiry = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const order = (owner: string, isBuy: boolean): Order => ({
      owner,
      subaccount: 0n,
      signer: owner,
      marketId: aapl,
      isBuy,
      sizeX18: 10n * X18,
      limitPriceX18: 230n * X18,
      expiry,
      nonce: 1n,
      epoch: 0n,
      flags: 0,
    });
    const maker = order(alice.address, true);
    const taker = order(bob.address, false);
    await clearinghouse.settleMatches([
      {
        maker,
        makerSignature: await signOrder(alice, domain, maker),
        taker,
        takerSignature: await signOrder(bob, domain, taker),
        fillSizeX18: 10n * X18,
      },
    ]);

    const keeperWallet = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
    await networkHelpers.setBalance(keeperWallet.address, 10n ** 20n);
    const engine = ILiquidationEngine__factory.connect(record.contracts.liquidationEngine, ethers.provider);
    const chain = await EthersLiquidationChain.connect(
      ethers.provider,
      record.contracts.clearinghouse,
      await engine.getAddress(),
    );
    const store = new LiquidationStore(":memory:");
    const submitter = new WalletSubmitter(keeperWallet, ethers.provider, silentLogger, { receiptPollMs: 5 });
    const config = { ...CONFIG, indexer: { ...CONFIG.indexer, startBlock: record.deployedAtBlock } };
    const metrics = new MetricsRegistry("t_");
    const keeper = new LiquidationKeeper(chain, submitter, store, config, silentLogger, metrics);

    const healthy = await keeper.tick();
    expect(healthy).to.deep.include({ accounts: 2, liquidatable: 0, liquidations: 0 });

    prices["AAPL"] = 215n * X18; // −6.5 %: alice's equity falls below maintenance margin
    await oracle.tick();
    const aliceId = accountId(alice.address, 0n);
    expect(await engine.isLiquidatable(aliceId)).to.equal(true);
    const result = await keeper.tick();
    expect(result.liquidatable).to.equal(1);
    expect(result.liquidations).to.be.greaterThan(0);
    expect(await engine.isLiquidatable(aliceId)).to.equal(false);

    const events = await engine.queryFilter(engine.filters.Liquidated(aliceId));
    expect(events).to.have.length(result.liquidations);
    for (const e of events) expect(e.args.keeper).to.equal(keeperWallet.address);
    const position = await clearinghouse.position(aliceId, aapl);
    expect(position.sizeX18).to.equal(10n * X18 + events.reduce((sum, e) => sum - e.args.closedSizeX18, 0n));
    const rows = store.allTxs();
    expect(rows.map((r) => r.status)).to.deep.equal(Array(result.liquidations).fill("confirmed"));
    console.log(`      gas of a liquidation (receipt): ${rows.map((r) => r.gasUsed).join(", ")}`);

    // a keeper restarted on the same database does nothing more, and learns the backstop from
    // BackstopAbsorbed (it is scanned like any account, never liquidated)
    const again = await new LiquidationKeeper(
      chain,
      submitter,
      store,
      config,
      silentLogger,
      new MetricsRegistry("u_"),
    ).tick();
    expect(again).to.deep.include({ accounts: 3, liquidatable: 0, liquidations: 0 });
    expect(store.accounts()).to.include(chain.backstop);
    expect(await ethers.provider.getTransactionCount(keeperWallet.address)).to.equal(result.liquidations);
  });
});
