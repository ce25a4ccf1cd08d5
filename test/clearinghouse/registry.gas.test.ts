import { expect } from "chai";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import { Session } from "../../sdk/calendar.js";
import {
  MarketRegistry__factory,
  MockOracleAdapter__factory,
  type MarketRegistry,
} from "../../typechain-types/index.js";
import { defaultMarketConfig, defaultSessionParams } from "../utils/listing.js";

/**
 * Gas of the market registry's views, measured as real transactions so that every slot is cold
 * (the first read of a transaction, as in the clearinghouse's one `tradingConfig` per market per
 * batch): execution gas = receipt gas - 21,000 - calldata gas. Compared with the committed snapshot
 * `registry.gas.json`; run with UPDATE_GAS_SNAPSHOT=1 to rewrite it after an intended change.
 */
const { ethers, networkHelpers } = await network.create();

const SNAPSHOT = new URL("./registry.gas.json", import.meta.url);
const AAPL = ethers.encodeBytes32String("AAPL-USD");
/** `tradingConfig` reads three slots (config x 2, the session's risk parameters): 6,300 cold. */
const BUDGETS: Record<string, number> = { "tradingConfig (REGULAR)": 8_000 };

async function deployRegistryFixture() {
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("no signers");
  const oracle = await new MockOracleAdapter__factory(admin).deploy(ethers.ZeroAddress);
  await oracle.list(AAPL, 100n * 10n ** 18n, 2_000);
  const registry = await new MarketRegistry__factory(admin).deploy(oracle, admin.address);
  await registry.grantRole(await registry.MARKET_LISTER_ROLE(), admin.address);
  await registry.listMarket(AAPL, defaultMarketConfig(), defaultSessionParams());
  return { registry };
}

function calldataGas(data: string): number {
  return ethers.getBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

async function executionGas(to: MarketRegistry, data: string): Promise<number> {
  const [signer] = await ethers.getSigners();
  if (signer === undefined) throw new Error("no signer");
  const receipt = await (await signer.sendTransaction({ to: await to.getAddress(), data })).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed) - 21_000 - calldataGas(data);
}

describe("market registry gas", function () {
  it("measures the views the clearinghouse reads and matches the snapshot", async function () {
    const { registry } = await networkHelpers.loadFixture(deployRegistryFixture);
    const calls: Record<string, string> = {
      "tradingConfig (REGULAR)": registry.interface.encodeFunctionData("tradingConfig", [
        AAPL,
        Session.REGULAR,
      ]),
      "tradingConfig (CLOSED)": registry.interface.encodeFunctionData("tradingConfig", [
        AAPL,
        Session.CLOSED,
      ]),
      marketConfig: registry.interface.encodeFunctionData("marketConfig", [AAPL]),
      sessionRiskParams: registry.interface.encodeFunctionData("sessionRiskParams", [AAPL, Session.REGULAR]),
      isListed: registry.interface.encodeFunctionData("isListed", [AAPL]),
    };
    const measured: Record<string, number> = {};
    for (const [label, data] of Object.entries(calls)) measured[label] = await executionGas(registry, data);

    console.log(
      ["      | call | execution gas |", "      |---|---:|"]
        .concat(
          Object.entries(measured).map(
            ([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`,
          ),
        )
        .join("\n"),
    );
    for (const [label, budget] of Object.entries(BUDGETS)) {
      expect(measured[label], label).to.be.lessThan(budget);
    }
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    expect(measured).to.deep.equal(JSON.parse(await readFile(SNAPSHOT, "utf8")));
  });
});
