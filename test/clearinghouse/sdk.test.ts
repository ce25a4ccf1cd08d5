import { expect } from "chai";
import { Wallet, keccak256, toUtf8Bytes, encodeBytes32String } from "ethers";
import { Session } from "../../sdk/calendar.js";
import { INT128_MAX, SundialMathError, mulDivCeil, mulDivFloor, mulDivTrunc } from "../../sdk/fixed-point.js";
import {
  accrueFunding,
  applyDividend,
  checkFundingStatePackable,
  emptyFundingState,
  pendingFundingX18,
} from "../../sdk/funding.js";
import { defaultRiskParams, maxLeverage, validateRiskParams } from "../../sdk/margin.js";
import {
  FLAG_POST_ONLY,
  FLAG_REDUCE_ONLY,
  accountId,
  nonceBitmapPosition,
  orderDomain,
  orderHash,
  recoverOrderSigner,
  remainingX18,
  signOrder,
  type Order,
} from "../../sdk/index.js";
import { applyFill, checkPositionPackable, reducesRisk, syncPosition } from "../../sdk/positions.js";

/** Unit tests of SDK-only behaviour (no chain): errors, immutability, helpers, worked examples. */
describe("clearinghouse SDK", function () {
  const E18 = 10n ** 18n;

  it("rounds in the named direction", function () {
    expect(mulDivFloor(-7n, 3n, 2n)).to.equal(-11n);
    expect(mulDivCeil(-7n, 3n, 2n)).to.equal(-10n);
    expect(mulDivTrunc(-7n, 3n, 2n)).to.equal(-10n);
    expect(mulDivCeil(7n, 3n, 2n)).to.equal(11n);
    expect(() => mulDivFloor(1n, 1n, 0n)).to.throw(SundialMathError, "Panic(18)");
  });

  it("reports errors with the Solidity error name and arguments", function () {
    try {
      applyFill(0n, 0n, E18, 0n);
      expect.fail("no error");
    } catch (error) {
      expect(error).to.be.instanceOf(SundialMathError);
      const { code, args } = error as SundialMathError;
      expect(code).to.equal("Position_InvalidPrice");
      expect(args).to.deep.equal([0n, 10n ** 38n]);
    }
  });

  it("walks a position through open, reduce and flip (the docs example)", function () {
    const open = applyFill(0n, 0n, 10n * E18, 150n * E18);
    expect(open).to.deep.equal({
      newSizeX18: 10n * E18,
      newOpenNotionalX18: 1_500n * E18,
      realizedPnlX18: 0n,
    });
    const reduce = applyFill(open.newSizeX18, open.newOpenNotionalX18, -4n * E18, 160n * E18);
    expect(reduce).to.deep.equal({
      newSizeX18: 6n * E18,
      newOpenNotionalX18: 900n * E18,
      realizedPnlX18: 40n * E18,
    });
    const flip = applyFill(reduce.newSizeX18, reduce.newOpenNotionalX18, -8n * E18, 170n * E18);
    expect(flip).to.deep.equal({
      newSizeX18: -2n * E18,
      newOpenNotionalX18: -340n * E18,
      realizedPnlX18: 120n * E18,
    });
    expect(reducesRisk(6n * E18, -2n * E18)).to.equal(false);
  });

  it("never modifies its inputs", function () {
    const state = {
      ...emptyFundingState(),
      lastUpdateTime: 1_000n,
      lastPremiumX18: 8n * 10n ** 14n,
      lastMultiplierBps: 10_000n,
    };
    const frozen = Object.freeze({ ...state });
    const accrued = accrueFunding(
      frozen,
      { rateCapPerHourX18: 10n ** 15n, interestRatePerHourX18: 0n },
      100n * E18,
      E18,
      4_600n,
    );
    expect(accrued.state.indexX18).to.equal(10n ** 16n);
    expect(frozen.indexX18).to.equal(0n);
    const dividend = applyDividend(Object.freeze({ ...accrued.state }), 5n * 10n ** 17n);
    expect(dividend.state.indexX18).to.equal(10n ** 16n - 5n * 10n ** 17n);
    const position = Object.freeze({
      sizeX18: 10n * E18,
      openNotionalX18: 1n,
      lastFundingIndexX18: 0n,
      splitFactorX18: E18,
    });
    const synced = syncPosition(position, 2n * E18, 4n * E18);
    expect(synced.fundingOwedX18).to.equal(20n * E18);
    expect(synced.position.sizeX18).to.equal(40n * E18);
    expect(position.sizeX18).to.equal(10n * E18);
  });

  it("signs dividends and funding as documented", function () {
    expect(pendingFundingX18(10n * E18, E18, 0n, -E18 / 2n)).to.equal(-5n * E18); // a long receives D
    expect(pendingFundingX18(-10n * E18, E18, 0n, -E18 / 2n)).to.equal(5n * E18); // a short pays D
  });

  it("checks the packed storage ranges", function () {
    expect(() =>
      checkPositionPackable({
        sizeX18: INT128_MAX + 1n,
        openNotionalX18: 0n,
        lastFundingIndexX18: 0n,
        splitFactorX18: E18,
      }),
    ).to.throw(SundialMathError, "Position_SizeOutOfRange");
    expect(() => checkFundingStatePackable({ ...emptyFundingState(), lastMultiplierBps: 70_000n })).to.throw(
      SundialMathError,
      "Funding_MultiplierOutOfRange",
    );
    // The open notional's storage field is int127 (bit 255 of the head tells its two forms apart).
    expect(() =>
      checkPositionPackable({
        sizeX18: 0n,
        openNotionalX18: -(1n << 126n) - 1n,
        lastFundingIndexX18: 0n,
        splitFactorX18: E18,
      }),
    ).to.throw(SundialMathError, "Position_OpenNotionalOutOfRange");
    checkPositionPackable({
      sizeX18: INT128_MAX,
      openNotionalX18: -(1n << 126n),
      lastFundingIndexX18: 0n,
      splitFactorX18: E18,
    });
    checkFundingStatePackable(emptyFundingState());
  });

  it("exposes the SPEC 5.1 defaults", function () {
    expect(maxLeverage(defaultRiskParams(Session.REGULAR))).to.equal(10n);
    expect(maxLeverage(defaultRiskParams(Session.OVERNIGHT))).to.equal(5n);
    expect(maxLeverage(defaultRiskParams(Session.CLOSED))).to.equal(4n);
    for (const session of [
      Session.CLOSED,
      Session.PRE_MARKET,
      Session.REGULAR,
      Session.POST_MARKET,
      Session.OVERNIGHT,
    ]) {
      validateRiskParams(defaultRiskParams(session));
    }
  });

  it("builds, hashes and signs orders", async function () {
    const wallet = new Wallet(keccak256(toUtf8Bytes("sundial sdk test")));
    const order: Order = {
      owner: wallet.address,
      subaccount: 1n,
      signer: wallet.address,
      marketId: encodeBytes32String("AAPL-USD"),
      isBuy: false,
      sizeX18: 5n * E18,
      limitPriceX18: 190n * E18,
      expiry: 1_800_000_000n,
      nonce: 513n,
      epoch: 2n,
      flags: FLAG_REDUCE_ONLY | FLAG_POST_ONLY,
    };
    const domain = orderDomain(31_337n, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    expect(domain.verifyingContract).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const signature = await signOrder(wallet, domain, order);
    expect(recoverOrderSigner(domain, order, signature)).to.equal(wallet.address);
    expect(orderHash(order)).to.not.equal(orderHash({ ...order, nonce: 514n }));
    expect(nonceBitmapPosition(513n)).to.deep.equal({ wordIndex: 2n, mask: 2n });
    expect(remainingX18(5n * E18, 7n * E18)).to.equal(0n);
    expect(accountId(wallet.address, 1n)).to.equal(
      "0x" + wallet.address.slice(2).toLowerCase() + "000000000000000000000001",
    );
  });
});
