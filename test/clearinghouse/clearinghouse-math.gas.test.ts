import { expect } from "chai";
import { Wallet, encodeBytes32String, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import { orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import {
  FundingMathHarness__factory,
  MarginMathHarness__factory,
  OrderLibHarness__factory,
  PositionMathHarness__factory,
} from "../../typechain-types/index.js";

/**
 * Gas of the clearinghouse libraries' hot paths, measured inside the harnesses with `gasleft()`
 * around the library call (library code only: no calldata decoding, no external-call overhead).
 * Compared with the committed snapshot `clearinghouse-math.gas.json`; run with
 * UPDATE_GAS_SNAPSHOT=1 to rewrite it after an intended change.
 */
const { ethers, networkHelpers } = await network.create();

const SNAPSHOT = new URL("./clearinghouse-math.gas.json", import.meta.url);
const E18 = 10n ** 18n;
/** Budget of the library math of one match (both sides), well inside the clearinghouse's target. */
const MATCH_MATH_BUDGET = 25_000;

async function deployHarnessesFixture() {
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("no signer");
  return {
    positions: await new PositionMathHarness__factory(deployer).deploy(),
    funding: await new FundingMathHarness__factory(deployer).deploy(),
    margin: await new MarginMathHarness__factory(deployer).deploy(),
    orders: await new OrderLibHarness__factory(deployer).deploy(),
  };
}

const exposure = (size: bigint) => ({
  sizeX18: size * E18,
  openNotionalX18: size * 150n * E18,
  pendingFundingX18: 3n * 10n ** 15n,
  markPriceX18: 151n * E18 + 7n,
  initialMarginBps: 1_000n,
  maintenanceMarginBps: 500n,
});

describe("clearinghouse math gas", function () {
  it("measures the hot paths and matches the committed snapshot", async function () {
    const { positions, funding, margin, orders } = await networkHelpers.loadFixture(deployHarnessesFixture);
    const measured: Record<string, number> = {};
    const put = (label: string, gas: bigint): void => {
      measured[label] = Number(gas);
    };

    put("PositionMath.applyFill: open", (await positions.gasApplyFill(0n, 0n, 5n * E18, 150n * E18 + 3n))[0]);
    put(
      "PositionMath.applyFill: increase",
      (await positions.gasApplyFill(3n * E18, 450n * E18, 5n * E18, 150n * E18 + 3n))[0],
    );
    put(
      "PositionMath.applyFill: partial reduce",
      (await positions.gasApplyFill(10n * E18, 1_500n * E18 + 1n, -3n * E18, 160n * E18 + 3n))[0],
    );
    put(
      "PositionMath.applyFill: full close",
      (await positions.gasApplyFill(10n * E18, 1_500n * E18, -10n * E18, 160n * E18 + 3n))[0],
    );
    put(
      "PositionMath.applyFill: flip",
      (await positions.gasApplyFill(10n * E18, 1_500n * E18, -13n * E18, 160n * E18 + 3n))[0],
    );
    put("PositionMath.tradingFeeX18", (await positions.gasTradingFee(10n * E18, 160n * E18 + 3n, 4n))[0]);
    const position = {
      sizeX18: 10n * E18,
      openNotionalX18: 1_500n * E18,
      lastFundingIndexX18: 5n * E18,
      splitFactorX18: E18,
    };
    put("PositionMath.sync: funding only", (await positions.gasSync(position, 5n * E18 + 12_345n, E18))[0]);
    put(
      "PositionMath.sync: funding + split",
      (await positions.gasSync(position, 5n * E18 + 12_345n, 4n * E18))[0],
    );
    put(
      "FundingMath.pendingFundingX18",
      (await funding.gasPendingFunding(10n * E18, E18, 5n * E18, 5n * E18 + 12_345n))[0],
    );
    put(
      "FundingMath.update (accrue + sample)",
      (
        await funding.gasUpdate(
          {
            indexX18: 7n * E18,
            premiumCumulativeX18: 10n ** 20n,
            lastPremiumX18: 10n ** 15n,
            lastUpdateTime: 1_767_225_600n,
            lastMultiplierBps: 10_000n,
            appliedDividendX18: 0n,
          },
          { rateCapPerHourX18: 10n ** 15n, interestRatePerHourX18: 5n * 10n ** 12n },
          {
            time: 1_767_225_600n + 3_600n,
            indexPriceX18: 150n * E18,
            splitFactorX18: E18,
            newPremiumX18: 10n ** 14n,
            multiplierBps: 10_000n,
            cumulativeDividendX18: 0n,
          },
        )
      )[0],
    );
    for (const markets of [1, 3, 5]) {
      const exposures = Array.from({ length: markets }, (_, i) => exposure(BigInt(i + 1)));
      put(
        `MarginMath.accountHealth + meetsInitialMargin: ${markets} market${markets > 1 ? "s" : ""}`,
        (await margin.gasAccountHealth(1_000n * E18, exposures))[0],
      );
    }

    const wallet = new Wallet(keccak256(toUtf8Bytes("sundial gas signer")));
    const order: Order = {
      owner: wallet.address,
      subaccount: 0n,
      signer: wallet.address,
      marketId: encodeBytes32String("AAPL-USD"),
      isBuy: true,
      sizeX18: 10n * E18,
      limitPriceX18: 187n * E18,
      expiry: 1_800_000_000n,
      nonce: 42n,
      epoch: 0n,
      flags: 0,
    };
    const { chainId } = await ethers.provider.getNetwork();
    const signature = await signOrder(wallet, orderDomain(chainId, await orders.getAddress()), order);
    put("OrderLib.hashCalldata (assembly)", (await orders.gasHashCalldata(order))[0]);
    put("OrderLib.hash (memory, abi.encode)", (await orders.gasHashMemory(order))[0]);
    put(
      "abi.encode of the calldata order (for comparison)",
      (await orders.gasHashCalldataAbiEncode(order))[0],
    );
    const [recoverGas, recovered] = await orders.gasHashAndRecover(order, signature);
    expect(recovered).to.equal(wallet.address);
    put("OrderLib.hashCalldata + digest + ECDSA.recover", recoverGas);

    const perSide = (label: string): number => measured[label] ?? Number.NaN;
    const matchMath =
      2 *
      (perSide("PositionMath.sync: funding only") +
        perSide("PositionMath.applyFill: partial reduce") +
        perSide("PositionMath.tradingFeeX18") +
        perSide("OrderLib.hashCalldata + digest + ECDSA.recover") +
        perSide("MarginMath.accountHealth + meetsInitialMargin: 1 market"));
    measured["one match, both sides (sync + fill + fee + signature + 1-market health) x 2"] = matchMath;

    console.log(
      ["      | library call | gas |", "      |---|---:|"]
        .concat(
          Object.entries(measured).map(
            ([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`,
          ),
        )
        .join("\n"),
    );
    expect(matchMath).to.be.lessThan(MATCH_MATH_BUDGET);
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    expect(measured).to.deep.equal(JSON.parse(await readFile(SNAPSHOT, "utf8")));
  });
});
