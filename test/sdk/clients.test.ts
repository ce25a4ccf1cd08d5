import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import { deployLocalMocks, deploySystem, writeDeploymentRecord } from "../../deploy/system.js";
import { connectSundial, VAULT_DOMAIN_NAME } from "../../sdk/clients.js";
import { accountId, recoverOrderSigner } from "../../sdk/orders.js";
import { MockUSDC__factory } from "../../typechain-types/index.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const connection = await network.create({ override: { initialDate: "2026-12-05T00:00:00Z" } }); // before SATURDAY, whatever today is
const { ethers, networkHelpers } = connection;
const SATURDAY = Date.parse("2026-12-05T15:00:00Z") / 1000;
const X18 = 10n ** 18n;
const USDC = 10n ** 6n;

async function deployed() {
  await networkHelpers.time.increaseTo(SATURDAY);
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const record = await deploySystem(
    connection,
    config,
    await deployLocalMocks(connection, config, signers[0]!.address),
  );
  const file = join(mkdtempSync(join(tmpdir(), "sundial-deployment-")), "local.json");
  writeDeploymentRecord(file, record);
  return { record, file, signers };
}

describe("sdk/clients: typed clients over a deployment", function () {
  it("connects to a deployment file and deposits, approving only what is missing", async function () {
    const { file, signers, record } = await networkHelpers.loadFixture(deployed);
    const alice = signers[6]!;
    const sundial = connectSundial(file, ethers.provider);
    expect(await sundial.vault.getAddress()).to.equal(record.contracts.vault);
    expect(sundial.marketId("AAPL")).to.equal(sundial.marketId("0x4141504c2d555344" + "0".repeat(48)));
    expect(() => sundial.marketId("GME")).to.throw("unknown market GME");
    await MockUSDC__factory.connect(record.contracts.collateralToken, signers[0]!).mint(
      alice.address,
      5_000n * USDC,
    );
    await sundial.deposit(alice, 2n, 3_000n * USDC);
    expect(await sundial.vault.collateralX18(accountId(alice.address, 2n))).to.equal(3_000n * X18);
    expect(await sundial.collateral.allowance(alice.address, record.contracts.vault)).to.equal(0n);
    await sundial.withdraw(alice, 2n, 1_000n * USDC);
    expect(await sundial.collateral.balanceOf(alice.address)).to.equal(3_000n * USDC);
    const health = await sundial.accountHealth(alice.address, 2n);
    expect(health).to.deep.include({
      collateralX18: 2_000n * X18,
      equityX18: 2_000n * X18,
      withdrawableX18: 2_000n * X18,
      liquidatable: false,
      marginRatioX18: 2n ** 255n - 1n,
    });
  });

  it("signs orders in the oracle's epoch and withdrawals in the vault's EIP-712 domain", async function () {
    const { file, signers, record } = await networkHelpers.loadFixture(deployed);
    const [bob, relayer] = [signers[7]!, signers[8]!];
    const sundial = connectSundial(file, ethers.provider);
    const { order, signature } = await sundial.signedOrder(bob, {
      owner: bob.address,
      subaccount: 0n,
      market: "TSLA",
      isBuy: true,
      sizeX18: X18,
      limitPriceX18: 350n * X18,
      expiry: 2_000_000_000n,
      nonce: 9n,
      flags: 0,
    });
    expect(order).to.deep.include({ epoch: 0n, signer: bob.address, marketId: sundial.marketId("TSLA") });
    expect(recoverOrderSigner(sundial.orderDomain(), order, signature)).to.equal(bob.address);
    expect(await sundial.clearinghouse.hashOrder(order)).to.be.a("string");

    await MockUSDC__factory.connect(record.contracts.collateralToken, signers[0]!).mint(
      bob.address,
      100n * USDC,
    );
    await sundial.deposit(bob, 0n, 100n * USDC);
    const request = {
      owner: bob.address,
      subaccount: 0n,
      amount: 40n * USDC,
      to: bob.address,
      nonce: 3n,
      deadline: 2_000_000_000n,
    };
    expect(sundial.vaultDomain().name).to.equal(VAULT_DOMAIN_NAME);
    const withdrawalSignature = await sundial.signWithdrawal(bob, request);
    await sundial.connect(relayer).relayWithdrawal(request, withdrawalSignature);
    expect(await sundial.collateral.balanceOf(bob.address)).to.equal(40n * USDC);
    expect(await sundial.vault.isNonceUsed(bob.address, 3n)).to.equal(true);
  });

  it("runs the integrator example script end to end", function () {
    const result = spawnSync(
      process.execPath,
      ["scripts/toolchain.cjs", "hardhat", "run", "scripts/example-integrator.ts"],
      {
        encoding: "utf8",
        env: process.env,
      },
    );
    expect(result.status, result.stderr).to.equal(0);
    const out = result.stdout;
    expect(out).to.match(/matcher listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(out).to.include("alice's ask rests in the book: 20 AAPL at 230.00 (open)");
    expect(out).to.include("bob's bid matched on arrival: 20 AAPL pending settlement");
    // The matcher's own key settled the fill (the script checks the receipt's sender); the
    // integrator's code never calls settleMatches itself.
    expect(readFileSync("scripts/example-integrator.ts", "utf8")).to.not.include("settleMatches");
    expect(out).to.match(/settled on chain in block \d+ by the matcher's key: tx 0x[0-9a-f]{64}\n/);
    expect(out).to.match(/alice: position -20 AAPL at 230\.00/);
    expect(out).to.match(/bob: position 20 AAPL at 230\.00, .* liquidatable false/);
    expect(out).to.include("bob's fill #1: taker buy 20 AAPL at 230.00, settled");
    expect(out).to.include("book: best ask 231.00 x 5 AAPL (1 order)");
    expect(out).to.include("submitting the quote again is refused: DUPLICATE_ORDER (HTTP 409)");
    expect(out).to.include("alice cancelled her quote: cancelled (CANCELLED_BY_USER), 0 asks left");
    expect(out).to.include("alice's orders, newest first: cancelled, filled");
    expect(out).to.include("bob withdrew 1000000000 token units via a relayer");
    // The matcher logged no warning or error (its log goes to stderr as JSON lines).
    expect(result.stderr).to.not.match(/"level":"(warn|error)"/);
  });
});
