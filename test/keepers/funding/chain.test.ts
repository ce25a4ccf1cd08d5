import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../../../deploy/system.js";
import { EthersFundingChain } from "../../../keepers/funding/chain.js";
import { FundingKeeper } from "../../../keepers/funding/keeper.js";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { WalletSubmitter } from "../../../keepers/lib/submitter.js";
import { loadCalendarFile } from "../../../sdk/calendar.js";
import { IClearinghouse__factory } from "../../../typechain-types/index.js";

// A fixed Saturday (CLOSED session): the gas printed below does not depend on when the test runs.
const connection = await network.create({ override: { initialDate: "2026-12-05T17:00:00Z" } });
const { ethers, networkHelpers } = connection;

async function deployed() {
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const mocks = await deployLocalMocks(connection, config, signers[4]!.address);
  const record = await deploySystem(connection, config, mocks);
  const key = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
  await networkHelpers.setBalance(key.address, 10n ** 18n);
  return { record, key };
}

describe("funding keeper on the in-process chain", function () {
  it("funds every listed market through the deployed clearinghouse, simulating first", async function () {
    const { record, key } = await networkHelpers.loadFixture(deployed);
    const submitter = new WalletSubmitter(key, ethers.provider, silentLogger, { receiptPollMs: 10 });
    const chain = new EthersFundingChain(
      record.contracts.clearinghouse,
      record.contracts.marketRegistry,
      ethers.provider,
      submitter,
    );
    expect(await chain.marketIds()).to.have.members(record.markets.map((m) => m.marketId));
    const clock = async () => networkHelpers.time.latest();
    let now = await clock();
    const metrics = new MetricsRegistry("t_");
    const keeper = new FundingKeeper(
      chain,
      await loadCalendarFile(),
      () => now,
      { intervalSec: 600 },
      silentLogger,
      metrics,
    );
    const outcome = await keeper.tick();
    expect(outcome.kind).to.equal("funded");
    const fundedAt = BigInt(await clock());
    const clearinghouse = IClearinghouse__factory.connect(record.contracts.clearinghouse, ethers.provider);
    for (const market of record.markets) {
      expect((await clearinghouse.fundingState(market.marketId)).lastUpdateTime).to.equal(fundedAt);
    }
    console.log(
      `      fund(5 markets), first accrual: ${metrics.render().match(/t_fund_gas_used (\d+)/)?.[1]} gas`,
    );
    await networkHelpers.time.increase(600);
    now = await clock();
    expect((await keeper.tick()).kind).to.equal("funded");
    console.log(
      `      fund(5 markets), 10 min later: ${metrics.render().match(/t_fund_gas_used (\d+)/)?.[1]} gas`,
    );
  });
});
