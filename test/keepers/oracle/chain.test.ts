import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../../deploy/config.js";
import { dataStreamsSources, deployLocalMocks, deploySystem } from "../../../deploy/system.js";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { WalletSubmitter } from "../../../keepers/lib/submitter.js";
import { OracleKeeper } from "../../../keepers/oracle/keeper.js";
import type { PriceInput } from "../../../keepers/oracle/prices.js";
import {
  LocalDonReports,
  MockFeedAnswers,
  MockPythUpdates,
  SignedQuoteUpdates,
} from "../../../keepers/oracle/updates.js";
import { Session, loadCalendarFile } from "../../../sdk/calendar.js";
import { IOracleAdapter__factory } from "../../../typechain-types/index.js";

const connection = await network.create({ override: { initialDate: "2026-12-05T00:00:00Z" } }); // before SATURDAY, whatever today is
const { ethers, networkHelpers } = connection;

/** Saturday 5 December 2026, 10:00 New York (CLOSED); Monday 7 December, 04:30 New York (pre-market). */
const SATURDAY = Date.parse("2026-12-05T15:00:00Z") / 1000;
const MONDAY_PRE_MARKET = Date.parse("2026-12-07T09:30:00Z") / 1000;
const X18 = 10n ** 18n;
const MONDAY_PRICES: Record<string, bigint> = {
  AAPL: 235n * X18,
  TSLA: 340n * X18,
  NVDA: 182n * X18,
  SPY: 665n * X18,
  QQQ: 605n * X18,
};

async function deployed() {
  await networkHelpers.time.increaseTo(SATURDAY);
  const keeper = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
  const config = loadDeploymentConfig(parametersFile("local"));
  // The keeper is the DON signer of the local verifier and one of the three quote publishers.
  config.oracle.quotePublishers = [keeper.address, "ACCOUNT:5", "ACCOUNT:8"];
  const mocks = await deployLocalMocks(connection, config, keeper.address);
  const record = await deploySystem(connection, config, mocks);
  await networkHelpers.setBalance(keeper.address, 10n ** 20n);
  return { record, keeper };
}

describe("oracle keeper on the in-process chain", function () {
  it("pushes every source and reopens the markets at the Monday pre-market open", async function () {
    const { record, keeper: wallet } = await networkHelpers.loadFixture(deployed);
    const { chainId } = await ethers.provider.getNetwork();
    let prices: Record<string, bigint> = Object.fromEntries(
      record.markets.map((m, i) => [m.symbol, [230n, 350n, 180n, 660n, 600n][i]! * X18]),
    );
    const input: PriceInput = {
      prices: async (symbols) => new Map(symbols.map((s) => [s, prices[s]!])),
    };
    const metrics = new MetricsRegistry("t_");
    const keeper = new OracleKeeper(
      record.markets,
      record.contracts.oracleAdapter,
      input,
      [
        new MockFeedAnswers(),
        new MockPythUpdates(record.mocks!.pyth, ethers.provider),
        new LocalDonReports(dataStreamsSources(record.contracts), new SigningKey(wallet.privateKey)),
        new SignedQuoteUpdates(record.contracts.signedQuoteSource, chainId, wallet),
      ],
      new WalletSubmitter(wallet, ethers.provider, silentLogger, { receiptPollMs: 10 }),
      await loadCalendarFile(),
      async () => networkHelpers.time.latest(),
      silentLogger,
      metrics,
    );
    const saturday = await keeper.tick();
    // CLOSED reads only signed quotes: no Data Streams report (the feed and Pyth mocks always move).
    expect(saturday).to.deep.equal({ session: Session.CLOSED, sent: 7, failed: 0, poked: true });
    const adapter = IOracleAdapter__factory.connect(record.contracts.oracleAdapter, ethers.provider);
    const aapl = record.markets[0]!.marketId;
    expect((await adapter.priceState(aapl)).state).to.equal(1n); // CLOSED

    await networkHelpers.time.increaseTo(MONDAY_PRE_MARKET);
    prices = MONDAY_PRICES;
    const monday = await keeper.tick();
    expect(monday).to.deep.equal({ session: Session.PRE_MARKET, sent: 12, failed: 0, poked: true });
    for (const market of record.markets) {
      const state = await adapter.priceState(market.marketId);
      expect(state.session).to.equal(BigInt(Session.PRE_MARKET));
      expect(state.state).to.equal(3n); // REOPENING: snapped to a price observed after the open
      expect(state.origin).to.equal(0n); // PRIMARY: the extended-hours Data Streams report
      expect(state.indexPriceX18).to.equal(MONDAY_PRICES[market.symbol]);
    }
    expect(metrics.render()).to.include('t_updates_total{outcome="sent",source="dataStreams"} 5');
    expect((await keeper.tick()).poked).to.equal(false);
  });
});
