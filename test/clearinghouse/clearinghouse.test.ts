import { expect } from "chai";
import { ZeroAddress, encodeBytes32String, type Signer } from "ethers";
import { network } from "hardhat";
import { Session } from "../../sdk/calendar.js";
import { accrueFunding, pendingFundingX18, premiumX18, type FundingState } from "../../sdk/funding.js";
import { accountHealth, defaultFundingParams, defaultRiskParams, withdrawableX18 } from "../../sdk/margin.js";
import { accountId, orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import { applyFill, tradingFeeX18 } from "../../sdk/positions.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketRegistry__factory,
  MockOracleAdapter__factory,
  MockUSDC__factory,
} from "../../typechain-types/index.js";

/**
 * End-to-end and differential test: orders signed in TypeScript (`sdk/orders.ts`, ethers
 * `signTypedData`) are settled on chain; positions, fees, funding and account health are compared
 * with the SDK math (`sdk/positions.ts`, `sdk/funding.ts`, `sdk/margin.ts`) on the chain's state.
 */
const { ethers, networkHelpers } = await network.create();

const AAPL = encodeBytes32String("AAPL-USD");
const X18 = 10n ** 18n;
const USDC = 10n ** 6n;

async function deployFixture() {
  const [admin, matcher, alice, bob] = (await ethers.getSigners()) as unknown as [
    Signer,
    Signer,
    Signer,
    Signer,
  ];
  const adminAddress = await admin.getAddress();
  const usdc = await new MockUSDC__factory(admin).deploy();
  const fund = await new InsuranceFund__factory(admin).deploy(await usdc.getAddress(), adminAddress);
  const vault = await new CollateralVault__factory(admin).deploy(
    await usdc.getAddress(),
    await fund.getAddress(),
    adminAddress,
    adminAddress,
  );
  const oracle = await new MockOracleAdapter__factory(admin).deploy(ZeroAddress);
  const registry = await new MarketRegistry__factory(admin).deploy(await oracle.getAddress(), adminAddress);
  const ch = await new Clearinghouse__factory(admin).deploy(
    await vault.getAddress(),
    await oracle.getAddress(),
    await registry.getAddress(),
    adminAddress,
    adminAddress,
  );
  await fund.setVault(await vault.getAddress());
  await vault.setMarginAuthority(await ch.getAddress());
  await ch.grantRole(await ch.MATCHER_ROLE(), await matcher.getAddress());
  await registry.grantRole(await registry.MARKET_LISTER_ROLE(), adminAddress);
  await oracle.list(AAPL, 100n * X18, 2_000);
  const sessions = [
    Session.CLOSED,
    Session.PRE_MARKET,
    Session.REGULAR,
    Session.POST_MARKET,
    Session.OVERNIGHT,
  ].map((s) => defaultRiskParams(s));
  await registry.listMarket(
    AAPL,
    {
      listed: false,
      status: 0,
      tickSizeX18: 10n ** 16n,
      stepSizeX18: 10n ** 15n,
      minOrderSizeX18: 10n ** 15n,
      funding: defaultFundingParams(),
      breaker: (({
        level1Bps,
        level2Bps,
        level3Bps,
        windowSec,
        level1HaltSec,
        level2HaltSec,
        level3HaltSec,
        reduceOnlySec,
      }) => ({
        level1Bps,
        level2Bps,
        level3Bps,
        windowSec,
        level1HaltSec,
        level2HaltSec,
        level3HaltSec,
        reduceOnlySec,
      }))(await registry.defaultCircuitBreakerParams()),
    },
    [sessions[0]!, sessions[1]!, sessions[2]!, sessions[3]!, sessions[4]!],
  );
  for (const user of [alice, bob]) {
    await usdc.mint(await user.getAddress(), 100_000n * USDC);
    await usdc.connect(user).approve(await vault.getAddress(), 100_000n * USDC);
    await vault.connect(user).deposit(0, 100_000n * USDC);
  }
  const { chainId } = await ethers.provider.getNetwork();
  const domain = orderDomain(chainId, await ch.getAddress());
  return { usdc, vault, oracle, registry, ch, matcher, alice, bob, domain };
}

async function order(
  user: Signer,
  isBuy: boolean,
  sizeX18: bigint,
  priceX18: bigint,
  nonce: bigint,
): Promise<Order> {
  const owner = await user.getAddress();
  return {
    owner,
    subaccount: 0n,
    signer: owner,
    marketId: AAPL,
    isBuy,
    sizeX18,
    limitPriceX18: priceX18,
    expiry: BigInt(await networkHelpers.time.latest()) + 3_600n,
    nonce,
    epoch: 0n,
    flags: 0,
  };
}

describe("Clearinghouse (TypeScript, SDK differential)", function () {
  it("settles SDK-signed orders and matches the SDK's positions, fees, funding and health", async function () {
    const { vault, oracle, ch, matcher, alice, bob, domain } =
      await networkHelpers.loadFixture(deployFixture);
    const price = 101n * X18;
    const size = 10n * X18;
    const maker = await order(alice, false, size, price, 1n);
    const taker = await order(bob, true, size, price, 1n);
    const match = {
      maker,
      makerSignature: await signOrder(alice, domain, maker),
      taker,
      takerSignature: await signOrder(bob, domain, taker),
      fillSizeX18: size,
    };
    const tx = await ch.connect(matcher).settleMatches([match]);
    const receipt = await tx.wait();
    console.log(`      settleMatches, 1 match, 2 new positions: ${receipt!.gasUsed} gas`);
    await expect(tx).to.emit(ch, "MatchSettled");

    const regular = defaultRiskParams(Session.REGULAR);
    const bobFill = applyFill(0n, 0n, size, price);
    const aliceFill = applyFill(0n, 0n, -size, price);
    const bobAccount = accountId(await bob.getAddress(), 0n);
    const aliceAccount = accountId(await alice.getAddress(), 0n);
    const bobPosition = await ch.position(bobAccount, AAPL);
    expect(bobPosition.sizeX18).to.equal(bobFill.newSizeX18);
    expect(bobPosition.openNotionalX18).to.equal(bobFill.newOpenNotionalX18);
    expect((await ch.position(aliceAccount, AAPL)).openNotionalX18).to.equal(aliceFill.newOpenNotionalX18);
    const takerFee = tradingFeeX18(size, price, regular.takerFeeBps);
    expect(await vault.feeTreasuryX18()).to.equal(takerFee);
    expect(await vault.collateralX18(bobAccount)).to.equal(100_000n * X18 - takerFee);

    // Funding: one hour at the trade's premium, checked against the SDK's accrual.
    const stored = await ch.fundingState(AAPL);
    const state: FundingState = {
      indexX18: stored.indexX18,
      premiumCumulativeX18: stored.premiumCumulativeX18,
      lastPremiumX18: stored.lastPremiumX18,
      lastUpdateTime: stored.lastUpdateTime,
      lastMultiplierBps: stored.lastMultiplierBps,
      appliedDividendX18: stored.appliedDividendX18,
    };
    expect(state.lastPremiumX18).to.equal(premiumX18(price, 100n * X18));
    await networkHelpers.time.increase(3_600);
    await ch.fund([AAPL]);
    const now = BigInt(await networkHelpers.time.latest());
    const expected = accrueFunding(state, defaultFundingParams(), 100n * X18, X18, now);
    expect((await ch.fundingState(AAPL)).indexX18).to.equal(expected.state.indexX18);

    // Health of both accounts at a new mark, against the SDK.
    const mark = 104n * X18;
    await oracle.setPrice(AAPL, mark, mark);
    // Views accrue funding to the latest block, one second later, at the new index price.
    const viewTime = BigInt(await networkHelpers.time.latest());
    const atView = accrueFunding(expected.state, defaultFundingParams(), mark, X18, viewTime);
    for (const [account, fill] of [
      [bobAccount, bobFill],
      [aliceAccount, aliceFill],
    ] as const) {
      const collateral = await vault.collateralX18(account);
      const sdkHealth = accountHealth(collateral, [
        {
          sizeX18: fill.newSizeX18,
          openNotionalX18: fill.newOpenNotionalX18,
          pendingFundingX18: pendingFundingX18(fill.newSizeX18, X18, 0n, atView.state.indexX18),
          markPriceX18: mark,
          initialMarginBps: regular.initialMarginBps,
          maintenanceMarginBps: regular.maintenanceMarginBps,
        },
      ]);
      const chainHealth = await ch.accountHealth(account);
      expect(chainHealth.equityX18).to.equal(sdkHealth.equityX18);
      expect(chainHealth.equityWithoutProfitX18).to.equal(sdkHealth.equityWithoutProfitX18);
      expect(chainHealth.initialMarginX18).to.equal(sdkHealth.initialMarginX18);
      expect(chainHealth.maintenanceMarginX18).to.equal(sdkHealth.maintenanceMarginX18);
      expect(await ch.withdrawableX18(account)).to.equal(withdrawableX18(collateral, sdkHealth));
    }

    // Accounting identity (INV-1) holds exactly.
    const [balanceX18, liabilitiesX18] = await vault.accountingIdentity();
    expect(balanceX18).to.equal(liabilitiesX18);
  });

  it("skips a match with a tampered signature without reverting the batch", async function () {
    const { ch, matcher, alice, bob, domain } = await networkHelpers.loadFixture(deployFixture);
    const maker = await order(alice, false, X18, 100n * X18, 7n);
    const taker = await order(bob, true, X18, 100n * X18, 7n);
    const good = {
      maker,
      makerSignature: await signOrder(alice, domain, maker),
      taker,
      takerSignature: await signOrder(bob, domain, taker),
      fillSizeX18: X18 / 2n,
    };
    const bad = { ...good, makerSignature: await signOrder(bob, domain, maker) };
    const tx = await ch.connect(matcher).settleMatches([bad, good]);
    const receipt = await tx.wait();
    console.log(`      settleMatches, 1 skipped + 1 settled: ${receipt!.gasUsed} gas`);
    await expect(tx)
      .to.emit(ch, "MatchSkipped")
      .withArgs(0n, await ch.hashOrder(maker), await ch.hashOrder(taker), 21n);
    const second = await ch.connect(matcher).settleMatches([good]);
    console.log(`      settleMatches, 1 match on existing positions: ${(await second.wait())!.gasUsed} gas`);
  });

  it("rejects a batch from an account without the matcher role", async function () {
    const { ch, alice } = await networkHelpers.loadFixture(deployFixture);
    await expect(ch.connect(alice).settleMatches([]))
      .to.be.revertedWithCustomError(ch, "AccessControlUnauthorizedAccount")
      .withArgs(await alice.getAddress(), await ch.MATCHER_ROLE());
  });
});
