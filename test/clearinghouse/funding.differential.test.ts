import { expect } from "chai";
import { network } from "hardhat";
import {
  MAX_ABS_INTEREST_RATE_PER_HOUR_X18,
  MAX_FUNDING_RATE_CAP_PER_HOUR_X18,
  MIN_FUNDING_RATE_CAP_PER_HOUR_X18,
  applyDividend,
  emptyFundingState,
  pendingFundingX18,
  premiumX18,
  updateFunding,
  type FundingParams,
  type FundingState,
} from "../../sdk/funding.js";
import { FundingMathHarness__factory, type FundingMathHarness } from "../../typechain-types/index.js";
import { SeededRandom, chunks } from "./random.js";

/**
 * Differential test: `sdk/funding.ts` against `FundingMath` (through its harness): random funding
 * histories (trades and fund() calls at random times, prices, premiums, session multipliers, splits
 * and dividends) compared state by state; pending funding and premiums on random inputs; and the
 * zero-sum property (INV-3) on the SDK side over random balanced books.
 */
const { ethers, networkHelpers } = await network.create();

const SEED = 0xf00d;
const SEQUENCES = 200;
const STEPS_PER_SEQUENCE = 25;
const PENDING_CASES = 5_000;
const PREMIUM_CASES = 3_000;
const BATCH = 500;
const T0 = 1_767_225_600n; // 2026-01-01 00:00 UTC
const E18 = 10n ** 18n;

interface Step {
  time: bigint;
  indexPriceX18: bigint;
  splitFactorX18: bigint;
  newPremiumX18: bigint;
  multiplierBps: bigint;
  cumulativeDividendX18: bigint;
}

async function deployHarnessFixture(): Promise<FundingMathHarness> {
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("no signer");
  return new FundingMathHarness__factory(deployer).deploy();
}

function randomParams(r: SeededRandom): FundingParams {
  return {
    rateCapPerHourX18: r.between(MIN_FUNDING_RATE_CAP_PER_HOUR_X18, MAX_FUNDING_RATE_CAP_PER_HOUR_X18),
    interestRatePerHourX18: r.between(
      -MAX_ABS_INTEREST_RATE_PER_HOUR_X18,
      MAX_ABS_INTEREST_RATE_PER_HOUR_X18,
    ),
  };
}

function randomSteps(r: SeededRandom): Step[] {
  const steps: Step[] = [];
  let time = T0;
  let price = r.between(10n ** 18n, 10n ** 21n);
  let splitFactor = 10n ** 18n;
  let dividend = 0n;
  for (let i = 0; i < STEPS_PER_SEQUENCE; i++) {
    time += r.pick([
      0n,
      1n,
      r.between(1n, 3_600n),
      r.between(3_600n, 86_400n),
      r.between(86_400n, 3n * 86_400n),
    ]);
    price = (price * r.between(900n, 1_100n)) / 1_000n + 1n;
    if (r.chance(0.05)) {
      // A split: the oracle's factor moves and the price moves inversely.
      const [numerator, denominator] = r.pick([
        [4n, 1n],
        [1n, 10n],
        [3n, 2n],
        [2n, 3n],
      ] as const);
      splitFactor = (splitFactor * numerator) / denominator;
      price = (price * denominator) / numerator + 1n;
    }
    if (r.chance(0.08)) dividend += (price * r.between(1n, 300n)) / 10_000n;
    const premiumRoll = r.float();
    const newPremiumX18 =
      premiumRoll < 0.1 ? 0n : premiumRoll < 0.15 ? r.signed(19) * 3n : r.between(-(E18 / 20n), E18 / 20n);
    steps.push({
      time,
      indexPriceX18: price,
      splitFactorX18: splitFactor,
      newPremiumX18,
      multiplierBps: r.pick([0n, 2_500n, 5_000n, 10_000n, 20_000n, BigInt(r.int(20_001))]),
      cumulativeDividendX18: dividend,
    });
  }
  return steps;
}

function toState(s: {
  indexX18: bigint;
  premiumCumulativeX18: bigint;
  lastPremiumX18: bigint;
  lastUpdateTime: bigint;
  lastMultiplierBps: bigint;
  appliedDividendX18: bigint;
}): FundingState {
  return {
    indexX18: s.indexX18,
    premiumCumulativeX18: s.premiumCumulativeX18,
    lastPremiumX18: s.lastPremiumX18,
    lastUpdateTime: s.lastUpdateTime,
    lastMultiplierBps: s.lastMultiplierBps,
    appliedDividendX18: s.appliedDividendX18,
  };
}

describe("FundingMath vs sdk/funding.ts (differential)", function () {
  it("evolves random funding histories identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED);
    let compared = 0;
    let nonZeroDeltas = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const params = randomParams(r);
      const steps = randomSteps(r);
      const start = r.chance(0.5) ? emptyFundingState() : { ...emptyFundingState(), lastUpdateTime: T0 };
      const onChain = await harness.simulate(start, params, steps);
      let state = start;
      steps.forEach((step, i) => {
        const updated = updateFunding(
          state,
          params,
          step.indexPriceX18,
          step.splitFactorX18,
          step.time,
          step.newPremiumX18,
          step.multiplierBps,
        );
        if (updated.deltaX18 !== 0n) nonZeroDeltas++;
        state = applyDividend(updated.state, step.cumulativeDividendX18).state;
        const got = onChain[i];
        if (got === undefined) throw new Error("missing state");
        expect(toState(got), `sequence ${sequence} step ${i}`).to.deep.equal(state);
        compared++;
      });
    }
    console.log(`      funding histories: ${compared} steps compared (${nonZeroDeltas} with accrual)`);
    expect(compared).to.equal(SEQUENCES * STEPS_PER_SEQUENCE);
    expect(nonZeroDeltas).to.be.greaterThan(compared / 2);
  });

  it("computes pending funding identically, payers up and receivers down", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 1);
    const cases = Array.from({ length: PENDING_CASES }, () => ({
      sizeX18: r.chance(0.05) ? 0n : r.signed(r.chance(0.3) ? 4 : 30),
      splitFactorX18: r.chance(0.6) ? E18 : r.between(10n ** 14n, 10n ** 22n),
      lastIndexX18: r.signed(r.chance(0.3) ? 3 : 30),
      indexX18: r.signed(r.chance(0.3) ? 3 : 30),
    }));
    let compared = 0;
    for (const batch of chunks(cases, BATCH)) {
      const owed = await harness.pendingBatch(batch);
      batch.forEach((c, i) => {
        const expected = pendingFundingX18(c.sizeX18, c.splitFactorX18, c.lastIndexX18, c.indexX18);
        expect(
          owed[i],
          JSON.stringify(c, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
        ).to.equal(expected);
        // Rounding toward +infinity: never below the exact value, less than one wei above it.
        const exactScaled = c.sizeX18 * (c.indexX18 - c.lastIndexX18);
        expect(expected * c.splitFactorX18 >= exactScaled).to.equal(true);
        expect((expected - 1n) * c.splitFactorX18 < exactScaled).to.equal(true);
        compared++;
      });
    }
    console.log(`      pendingFundingX18: ${compared} cases compared`);
    expect(compared).to.equal(PENDING_CASES);
  });

  it("keeps funding zero-sum over random balanced books (INV-3)", function () {
    const r = new SeededRandom(SEED + 2);
    let books = 0;
    for (; books < 2_000; books++) {
      const factor = r.chance(0.5) ? E18 : r.between(10n ** 14n, 10n ** 22n);
      const last = r.signed(25);
      const now = last + r.signed(r.chance(0.5) ? 2 : 22);
      const sizes = Array.from({ length: r.int(8) + 1 }, () => r.signed(r.chance(0.3) ? 3 : 26));
      sizes.push(-sizes.reduce((a, b) => a + b, 0n));
      const total = sizes.reduce((sum, size) => sum + pendingFundingX18(size, factor, last, now), 0n);
      expect(total >= 0n, "payers cover receivers").to.equal(true);
      expect(total <= BigInt(sizes.length), "at most one wei of dust per position").to.equal(true);
    }
    console.log(`      zero-sum books: ${books} checked`);
  });

  it("computes premiums identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 3);
    const index = Array.from({ length: PREMIUM_CASES }, () => r.between(1n, 10n ** 24n));
    const perp = index.map((i) =>
      r.chance(0.1) ? r.between(0n, 10n ** 25n) : (i * r.between(8_000n, 12_000n)) / 10_000n,
    );
    let compared = 0;
    for (const [batchIndex, batch] of chunks(index, BATCH).entries()) {
      const perpBatch = perp.slice(batchIndex * BATCH, batchIndex * BATCH + batch.length);
      const premiums = await harness.premiumBatch(perpBatch, batch);
      batch.forEach((indexPrice, i) => {
        expect(premiums[i]).to.equal(premiumX18(perpBatch[i] ?? 0n, indexPrice));
        compared++;
      });
    }
    console.log(`      premiumX18: ${compared} cases compared`);
    expect(compared).to.equal(PREMIUM_CASES);
  });
});
