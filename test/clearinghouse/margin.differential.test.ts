import { expect } from "chai";
import { network } from "hardhat";
import { Session } from "../../sdk/calendar.js";
import { INT128_MAX, INT128_MIN, SundialMathError } from "../../sdk/fixed-point.js";
import {
  accountHealth,
  defaultFundingParams,
  defaultRiskParams,
  isLiquidatable,
  marginRatioX18,
  meetsInitialMargin,
  validateFundingParams,
  validateRiskParams,
  withdrawableX18,
  type MarketExposure,
  type SessionRiskParams,
} from "../../sdk/margin.js";
import { MAX_PRICE_X18, applyFill } from "../../sdk/positions.js";
import { MarginMathHarness__factory, type MarginMathHarness } from "../../typechain-types/index.js";
import { SeededRandom, chunks } from "./random.js";

/**
 * Differential test: `sdk/margin.ts` against `MarginMath` and `RiskParamsLib` (through the harness):
 * random accounts of 0-6 markets (realistic books and values at the int128 bounds) compared on
 * equity, equity without profit, IM, MM, notional, margin ratio, withdrawable and both health
 * checks; and random risk parameters compared on acceptance and on the exact custom error.
 */
const { ethers, networkHelpers } = await network.create();

const SEED = 0xacc0;
const ACCOUNTS = 3_000;
const PARAM_CASES = 3_000;
const BATCH = 250;
const E18 = 10n ** 18n;

async function deployHarnessFixture(): Promise<MarginMathHarness> {
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("no signer");
  return new MarginMathHarness__factory(deployer).deploy();
}

function randomExposure(r: SeededRandom): MarketExposure {
  if (r.chance(0.05)) {
    // Every field at a bound: the sums must still be exact.
    return {
      sizeX18: r.pick([INT128_MAX, INT128_MIN]),
      openNotionalX18: r.pick([INT128_MAX, INT128_MIN]),
      pendingFundingX18: r.pick([INT128_MAX, INT128_MIN, 0n]),
      markPriceX18: r.pick([MAX_PRICE_X18, 0n, 1n]),
      initialMarginBps: 10_000n,
      maintenanceMarginBps: 10_000n,
    };
  }
  const entry = r.between(10n ** 16n, 10n ** 21n);
  const mark = r.chance(0.05) ? r.magnitude(5) : (entry * r.between(5_000n, 15_000n)) / 10_000n;
  const sizeX18 = r.chance(0.1) ? r.signed(3) : r.signed(24);
  const basis = sizeX18 === 0n ? 0n : applyFill(0n, 0n, sizeX18, entry).newOpenNotionalX18;
  const params = defaultRiskParams(
    r.pick([Session.CLOSED, Session.PRE_MARKET, Session.REGULAR, Session.OVERNIGHT]),
  );
  return {
    sizeX18,
    openNotionalX18: basis,
    pendingFundingX18: r.chance(0.3) ? 0n : r.signed(r.chance(0.5) ? 3 : 21),
    markPriceX18: mark,
    initialMarginBps: r.chance(0.8) ? params.initialMarginBps : BigInt(r.int(10_001)),
    maintenanceMarginBps: r.chance(0.8) ? params.maintenanceMarginBps : BigInt(r.int(10_001)),
  };
}

function randomParams(r: SeededRandom): SessionRiskParams {
  const base = defaultRiskParams(r.pick([Session.CLOSED, Session.REGULAR, Session.OVERNIGHT]));
  const tweak = (value: bigint, low: bigint, high: bigint): bigint =>
    r.chance(0.2) ? r.between(low, high) : value;
  return {
    initialMarginBps: tweak(base.initialMarginBps, 150n, 10_100n),
    maintenanceMarginBps: tweak(base.maintenanceMarginBps, 0n, 2_600n),
    makerFeeBps: tweak(base.makerFeeBps, -120n, 120n),
    takerFeeBps: tweak(base.takerFeeBps, -5n, 120n),
    fillBandBps: tweak(base.fillBandBps, 0n, 2_100n),
    fundingMultiplierBps: tweak(base.fundingMultiplierBps, 0n, 21_000n),
    openInterestCapX18: tweak(base.openInterestCapX18, 0n, 2n * 10n ** 30n),
  };
}

function sdkError(run: () => void): { error: string; args: bigint[] } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof SundialMathError)) throw error;
    return { error: error.code, args: [...error.args] };
  }
}

async function solidityError(
  harness: MarginMathHarness,
  call: Promise<unknown>,
): Promise<{ error: string; args: bigint[] } | null> {
  try {
    await call;
    return null;
  } catch (error) {
    const data = (error as { data?: string }).data;
    if (data === undefined) throw error;
    const parsed = harness.interface.parseError(data);
    if (parsed === null) throw error;
    return { error: parsed.name, args: parsed.args.map((arg) => BigInt(arg as bigint)) };
  }
}

describe("MarginMath vs sdk/margin.ts (differential)", function () {
  it("computes the health of random accounts identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED);
    const accounts = Array.from({ length: ACCOUNTS }, () => {
      const exposures = Array.from({ length: r.int(7) }, () => randomExposure(r));
      // Mostly collateral in proportion to the book (0-40 % of its notional), so that healthy,
      // marginal and liquidatable accounts all occur; sometimes arbitrary or at a bound.
      const notional =
        exposures.reduce((sum, e) => sum + (e.sizeX18 < 0n ? -e.sizeX18 : e.sizeX18) * e.markPriceX18, 0n) /
        E18;
      const roll = r.float();
      const collateralX18 =
        roll < 0.05
          ? r.pick([INT128_MAX, INT128_MIN, 0n])
          : roll < 0.7 && notional < INT128_MAX
            ? (notional * r.between(0n, 4_000n)) / 10_000n + r.signed(3)
            : r.signed(r.chance(0.8) ? 24 : 5);
      return { collateralX18, exposures };
    });
    let compared = 0;
    let liquidatable = 0;
    let withdrawable = 0;
    for (const batch of chunks(accounts, BATCH)) {
      const results = await harness.fullHealthBatch(
        batch.map((a) => a.collateralX18),
        batch.map((a) => a.exposures),
      );
      batch.forEach((account, i) => {
        const onChain = results[i];
        if (onChain === undefined) throw new Error("missing result");
        const health = accountHealth(account.collateralX18, account.exposures);
        const label = `account ${compared}`;
        expect(onChain.health.equityX18, label).to.equal(health.equityX18);
        expect(onChain.health.equityWithoutProfitX18, label).to.equal(health.equityWithoutProfitX18);
        expect(onChain.health.initialMarginX18, label).to.equal(health.initialMarginX18);
        expect(onChain.health.maintenanceMarginX18, label).to.equal(health.maintenanceMarginX18);
        expect(onChain.health.notionalX18, label).to.equal(health.notionalX18);
        expect(onChain.marginRatioX18, label).to.equal(marginRatioX18(health));
        expect(onChain.withdrawableX18, label).to.equal(withdrawableX18(account.collateralX18, health));
        expect(onChain.meetsInitialMargin, label).to.equal(meetsInitialMargin(health));
        expect(onChain.isLiquidatable, label).to.equal(isLiquidatable(health));
        if (isLiquidatable(health)) liquidatable++;
        if (withdrawableX18(account.collateralX18, health) > 0n) withdrawable++;
        compared++;
      });
    }
    console.log(
      `      account health: ${compared} accounts compared (${liquidatable} liquidatable, ${withdrawable} with withdrawable collateral)`,
    );
    expect(compared).to.equal(ACCOUNTS);
    expect(liquidatable).to.be.greaterThan(ACCOUNTS / 20);
    expect(withdrawable).to.be.greaterThan(ACCOUNTS / 20);
  });

  it("rejects out-of-range exposures and collateral with the same errors", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const valid: MarketExposure = {
      sizeX18: E18,
      openNotionalX18: 100n * E18,
      pendingFundingX18: 0n,
      markPriceX18: 100n * E18,
      initialMarginBps: 1_000n,
      maintenanceMarginBps: 500n,
    };
    const invalid: MarketExposure[] = [
      { ...valid, sizeX18: INT128_MAX + 1n },
      { ...valid, openNotionalX18: INT128_MIN - 1n },
      { ...valid, pendingFundingX18: INT128_MAX + 1n },
      { ...valid, markPriceX18: MAX_PRICE_X18 + 1n },
      { ...valid, initialMarginBps: 10_001n },
      { ...valid, maintenanceMarginBps: 10_001n },
    ];
    for (const exposure of invalid) {
      const expected = sdkError(() => accountHealth(0n, [exposure]));
      expect(expected?.error).to.equal("Margin_ExposureOutOfRange");
      expect(await solidityError(harness, harness.accountHealth(0n, [exposure]))).to.deep.equal(expected);
    }
    const collateral = INT128_MAX + 1n;
    const expected = sdkError(() => accountHealth(collateral, []));
    expect(expected?.error).to.equal("Margin_CollateralOutOfRange");
    expect(await solidityError(harness, harness.accountHealth(collateral, []))).to.deep.equal(expected);
  });

  it("validates random risk and funding parameters identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 1);
    let compared = 0;
    let rejected = 0;
    for (let i = 0; i < PARAM_CASES; i++) {
      const params = randomParams(r);
      const expected = sdkError(() => validateRiskParams(params));
      expect(
        await solidityError(harness, harness.validate(params)),
        JSON.stringify(params, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
      ).to.deep.equal(expected);
      if (expected !== null) rejected++;
      compared++;
    }
    for (let i = 0; i < 500; i++) {
      const funding = {
        rateCapPerHourX18: r.between(0n, 5n * 10n ** 16n),
        interestRatePerHourX18: r.between(-(10n ** 14n), 10n ** 14n),
      };
      const expected = sdkError(() => validateFundingParams(funding));
      expect(await solidityError(harness, harness.validateFunding(funding))).to.deep.equal(expected);
      compared++;
    }
    for (const session of [
      Session.CLOSED,
      Session.PRE_MARKET,
      Session.REGULAR,
      Session.POST_MARKET,
      Session.OVERNIGHT,
    ]) {
      const onChain = await harness.defaults(session);
      const sdk = defaultRiskParams(session);
      expect([
        onChain.initialMarginBps,
        onChain.maintenanceMarginBps,
        onChain.makerFeeBps,
        onChain.takerFeeBps,
        onChain.fillBandBps,
        onChain.fundingMultiplierBps,
        onChain.openInterestCapX18,
      ]).to.deep.equal([
        sdk.initialMarginBps,
        sdk.maintenanceMarginBps,
        sdk.makerFeeBps,
        sdk.takerFeeBps,
        sdk.fillBandBps,
        sdk.fundingMultiplierBps,
        sdk.openInterestCapX18,
      ]);
      compared++;
    }
    const funding = await harness.defaultFunding();
    expect([funding.rateCapPerHourX18, funding.interestRatePerHourX18]).to.deep.equal([
      defaultFundingParams().rateCapPerHourX18,
      defaultFundingParams().interestRatePerHourX18,
    ]);
    console.log(
      `      risk and funding parameters: ${compared + 1} cases compared (${rejected} risk-param rejections)`,
    );
    expect(rejected).to.be.greaterThan(PARAM_CASES / 10);
  });
});
