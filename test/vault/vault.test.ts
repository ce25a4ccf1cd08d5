import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "chai";
import { network } from "hardhat";
import type { ContractTransactionResponse, Signer, TypedDataDomain, TypedDataField } from "ethers";
import {
  CollateralVault__factory,
  InsuranceFund__factory,
  MockERC1271Wallet__factory,
  MockMarginAuthority__factory,
  MockUSDC__factory,
} from "../../typechain-types/index.js";
import type { CollateralVault, MockUSDC } from "../../typechain-types/index.js";

// A fixed start date: the signed deadlines (and so the calldata, and the gas snapshot) repeat exactly.
const { ethers, networkHelpers } = await network.create({
  override: { initialDate: "2026-11-02T15:00:00Z" },
});

const USDC = 10n ** 6n;
const SCALE = 10n ** 12n; // X18 per USDC unit

/** The EIP-712 struct the vault verifies (field order and types must match `WITHDRAWAL_TYPEHASH`). */
const WITHDRAWAL_TYPES: Record<string, TypedDataField[]> = {
  Withdrawal: [
    { name: "owner", type: "address" },
    { name: "subaccount", type: "uint96" },
    { name: "amount", type: "uint256" },
    { name: "to", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

const PERMIT_TYPES: Record<string, TypedDataField[]> = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** `ICollateralVault.Withdrawal`. */
interface Withdrawal {
  owner: string;
  subaccount: bigint;
  amount: bigint;
  to: string;
  nonce: bigint;
  deadline: bigint;
}

/** `AccountId` = owner (high 160 bits) | subaccount (low 96 bits). */
function accountId(owner: string, subaccount: bigint): string {
  return ethers.solidityPacked(["address", "uint96"], [owner, subaccount]);
}

async function vaultDomain(vault: CollateralVault, chainId?: bigint): Promise<TypedDataDomain> {
  return {
    name: "Sundial CollateralVault",
    version: "1",
    chainId: chainId ?? (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await vault.getAddress(),
  };
}

async function signWithdrawal(
  signer: Signer,
  vault: CollateralVault,
  request: Withdrawal,
  chainId?: bigint,
): Promise<string> {
  return signer.signTypedData(await vaultDomain(vault, chainId), WITHDRAWAL_TYPES, request);
}

async function signPermit(
  signer: Signer,
  usdc: MockUSDC,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<{ v: number; r: string; s: string }> {
  const owner = await signer.getAddress();
  const domain: TypedDataDomain = {
    name: await usdc.name(),
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await usdc.getAddress(),
  };
  const message = { owner, spender, value, nonce: await usdc.nonces(owner), deadline };
  const signature = ethers.Signature.from(await signer.signTypedData(domain, PERMIT_TYPES, message));
  return { v: signature.v, r: signature.r, s: signature.s };
}

async function latestTimestamp(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest());
}

async function gasUsed(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt.gasUsed;
}

async function deployVaultFixture() {
  const [deployer, admin, guardian, alice, relayer, recipient] = await ethers.getSigners();
  if (!deployer || !admin || !guardian || !alice || !relayer || !recipient)
    throw new Error("missing signers");
  const usdc = await new MockUSDC__factory(deployer).deploy();
  const fund = await new InsuranceFund__factory(deployer).deploy(usdc, admin.address);
  const vault = await new CollateralVault__factory(deployer).deploy(
    usdc,
    fund,
    admin.address,
    guardian.address,
  );
  await fund.connect(admin).setVault(vault);
  await usdc.mint(alice.address, 1_000_000n * USDC);
  return { usdc, fund, vault, admin, guardian, alice, relayer, recipient };
}

/** The fixture plus 1,000 USDC of alice's in subaccount 0, deposited with a permit. */
async function fundedVaultFixture() {
  const fixture = await deployVaultFixture();
  const { usdc, vault, alice } = fixture;
  const deadline = (await latestTimestamp()) + 3600n;
  const { v, r, s } = await signPermit(alice, usdc, await vault.getAddress(), 1_000n * USDC, deadline);
  await vault.connect(alice).depositWithPermit(0n, 1_000n * USDC, deadline, v, r, s);
  return fixture;
}

async function withdrawalRequest(
  owner: string,
  to: string,
  amount: bigint,
  nonce: bigint,
  subaccount = 0n,
): Promise<Withdrawal> {
  return { owner, subaccount, amount, to, nonce, deadline: (await latestTimestamp()) + 3600n };
}

describe("CollateralVault from TypeScript", function () {
  describe("permit deposit", function () {
    it("deposits with an EIP-2612 permit signed by signTypedData, without a prior approve", async function () {
      const { usdc, vault, alice } = await networkHelpers.loadFixture(deployVaultFixture);
      const amount = 250n * USDC;
      const deadline = (await latestTimestamp()) + 3600n;
      const { v, r, s } = await signPermit(alice, usdc, await vault.getAddress(), amount, deadline);

      await expect(vault.connect(alice).depositWithPermit(3n, amount, deadline, v, r, s))
        .to.emit(vault, "Deposited")
        .withArgs(accountId(alice.address, 3n), alice.address, amount, amount * SCALE);

      expect(await vault.collateralX18(accountId(alice.address, 3n))).to.equal(amount * SCALE);
      expect(await usdc.allowance(alice.address, await vault.getAddress())).to.equal(0n);
      const [balanceX18, liabilitiesX18, holds] = await vault.accountingIdentity();
      expect(holds).to.equal(true);
      expect(balanceX18).to.equal(liabilitiesX18);
    });
  });

  describe("gasless signed withdrawal", function () {
    it("hashes the request exactly like ethers' EIP-712 encoder", async function () {
      const { vault, alice, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 10n * USDC, 42n);
      const expected = ethers.TypedDataEncoder.hash(await vaultDomain(vault), WITHDRAWAL_TYPES, request);
      expect(await vault.hashWithdrawal(request)).to.equal(expected);
      expect(await vault.domainSeparator()).to.equal(
        ethers.TypedDataEncoder.hashDomain(await vaultDomain(vault)),
      );
    });

    it("executes a withdrawal signed by the owner and relayed by another account", async function () {
      const { usdc, vault, alice, relayer, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 400n * USDC, 7n);
      const signature = await signWithdrawal(alice, vault, request);
      const aliceEthBefore = await ethers.provider.getBalance(alice.address);

      const tx = vault.connect(relayer).withdrawWithSignature(request, signature);
      await expect(tx)
        .to.emit(vault, "Withdrawn")
        .withArgs(
          accountId(alice.address, 0n),
          relayer.address,
          recipient.address,
          400n * USDC,
          400n * USDC * SCALE,
        );
      await expect(tx).to.emit(vault, "NonceUsed").withArgs(alice.address, 7n);

      expect(await usdc.balanceOf(recipient.address)).to.equal(400n * USDC);
      expect(await vault.collateralX18(accountId(alice.address, 0n))).to.equal(600n * USDC * SCALE);
      expect(await vault.isNonceUsed(alice.address, 7n)).to.equal(true);
      expect(await ethers.provider.getBalance(alice.address)).to.equal(
        aliceEthBefore,
        "the owner paid no gas",
      );
    });

    it("rejects a replayed signed withdrawal", async function () {
      const { vault, alice, relayer, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 10n * USDC, 1n);
      const signature = await signWithdrawal(alice, vault, request);
      await vault.connect(relayer).withdrawWithSignature(request, signature);

      await expect(vault.connect(relayer).withdrawWithSignature(request, signature))
        .to.be.revertedWithCustomError(vault, "Vault_NonceAlreadyUsed")
        .withArgs(alice.address, 1n);
    });

    it("rejects a withdrawal signed for another chain", async function () {
      const { vault, alice, relayer, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 10n * USDC, 1n);
      const { chainId } = await ethers.provider.getNetwork();
      const signature = await signWithdrawal(alice, vault, request, chainId + 1n);

      await expect(vault.connect(relayer).withdrawWithSignature(request, signature))
        .to.be.revertedWithCustomError(vault, "Vault_InvalidSignature")
        .withArgs(alice.address, await vault.hashWithdrawal(request));
    });

    it("rejects a signed withdrawal after its deadline", async function () {
      const { vault, alice, relayer, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 10n * USDC, 1n);
      const signature = await signWithdrawal(alice, vault, request);
      await networkHelpers.time.increaseTo(request.deadline); // the next block is one second later

      await expect(vault.connect(relayer).withdrawWithSignature(request, signature))
        .to.be.revertedWithCustomError(vault, "Vault_SignatureExpired")
        .withArgs(request.deadline, request.deadline + 1n);
    });

    it("rejects a withdrawal whose nonce the owner cancelled", async function () {
      const { vault, alice, relayer, recipient } = await networkHelpers.loadFixture(fundedVaultFixture);
      const request = await withdrawalRequest(alice.address, recipient.address, 10n * USDC, 300n);
      const signature = await signWithdrawal(alice, vault, request);
      await vault.connect(alice).cancelNonce(300n);

      await expect(vault.connect(relayer).withdrawWithSignature(request, signature))
        .to.be.revertedWithCustomError(vault, "Vault_NonceAlreadyUsed")
        .withArgs(alice.address, 300n);
    });

    it("executes a withdrawal of a smart wallet through ERC-1271", async function () {
      const { usdc, vault, alice, relayer, recipient } = await networkHelpers.loadFixture(deployVaultFixture);
      const wallet = await new MockERC1271Wallet__factory(alice).deploy(alice.address);
      const walletAddress = await wallet.getAddress();
      await usdc.mint(walletAddress, 100n * USDC);
      await usdc.connect(alice).approve(await vault.getAddress(), 100n * USDC);
      await vault.connect(alice).depositFor(accountId(walletAddress, 0n), 100n * USDC);

      const request = await withdrawalRequest(walletAddress, recipient.address, 30n * USDC, 1n);
      const signature = await signWithdrawal(alice, vault, request); // the wallet's owner key signs

      await expect(vault.connect(relayer).withdrawWithSignature(request, signature)).to.changeTokenBalance(
        ethers,
        usdc,
        recipient,
        30n * USDC,
      );
      expect(await vault.collateralX18(accountId(walletAddress, 0n))).to.equal(70n * USDC * SCALE);
    });
  });

  describe("gas", function () {
    const SNAPSHOT_URL = new URL("./gas-snapshot.json", import.meta.url);
    const TOLERANCE_BPS = 100n; // a regression of more than 1 % fails

    it("stays within the committed gas snapshot for the hot paths", async function () {
      const { usdc, vault, admin, alice, relayer } = await networkHelpers.loadFixture(fundedVaultFixture);
      const vaultAddress = await vault.getAddress();
      await usdc.connect(alice).approve(vaultAddress, ethers.MaxUint256);
      await vault.connect(alice).deposit(1n, 1n * USDC);
      await vault.connect(alice).cancelNonce(1n); // warms the nonce word used below

      const measured: Record<string, bigint> = {};
      measured["deposit (new account)"] = await gasUsed(vault.connect(alice).deposit(2n, 100n * USDC));
      measured["deposit (existing account)"] = await gasUsed(vault.connect(alice).deposit(0n, 100n * USDC));
      const deadline = (await latestTimestamp()) + 3600n;
      await usdc.connect(alice).approve(vaultAddress, 0n);
      const { v, r, s } = await signPermit(alice, usdc, vaultAddress, 100n * USDC, deadline);
      measured["depositWithPermit (existing account)"] = await gasUsed(
        vault.connect(alice).depositWithPermit(0n, 100n * USDC, deadline, v, r, s),
      );
      measured["withdraw (partial, to owner)"] = await gasUsed(
        vault.connect(alice).withdraw(0n, 50n * USDC, alice.address),
      );
      const fresh = await withdrawalRequest(alice.address, alice.address, 50n * USDC, 1_000n);
      measured["withdrawWithSignature (new nonce word)"] = await gasUsed(
        vault.connect(relayer).withdrawWithSignature(fresh, await signWithdrawal(alice, vault, fresh)),
      );
      const warm = await withdrawalRequest(alice.address, alice.address, 50n * USDC, 2n);
      measured["withdrawWithSignature (used nonce word)"] = await gasUsed(
        vault.connect(relayer).withdrawWithSignature(warm, await signWithdrawal(alice, vault, warm)),
      );
      measured["transferBetweenSubaccounts (existing accounts)"] = await gasUsed(
        vault.connect(alice).transferBetweenSubaccounts(0n, 1n, 10n * USDC * SCALE),
      );

      // With a margin authority connected every withdrawal makes one external view call (here a mock
      // that answers from a mapping; the clearinghouse's own computation comes on top).
      const authority = await new MockMarginAuthority__factory(alice).deploy();
      await authority.setWithdrawableX18(accountId(alice.address, 0n), ethers.MaxUint256);
      await vault.connect(admin).setMarginAuthority(authority);
      measured["withdraw (margin authority connected, mock)"] = await gasUsed(
        vault.connect(alice).withdraw(0n, 50n * USDC, alice.address),
      );

      if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
        const snapshot = Object.fromEntries(Object.entries(measured).map(([k, gas]) => [k, Number(gas)]));
        writeFileSync(SNAPSHOT_URL, `${JSON.stringify(snapshot, null, 2)}\n`);
        return;
      }
      const snapshot = JSON.parse(readFileSync(SNAPSHOT_URL, "utf8")) as Record<string, number>;
      for (const [operation, gas] of Object.entries(measured)) {
        const committed = snapshot[operation];
        expect(committed, `no snapshot entry for ${operation}`).to.not.equal(undefined);
        const limit = (BigInt(committed ?? 0) * (10_000n + TOLERANCE_BPS)) / 10_000n;
        expect(gas <= limit, `${operation}: ${gas} gas exceeds snapshot ${committed} (+1 %)`).to.equal(true);
      }
    });
  });
});
