import { expect } from "chai";
import {
  Wallet,
  TypedDataEncoder,
  encodeBytes32String,
  getAddress,
  hexlify,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import { network } from "hardhat";
import { SundialMathError } from "../../sdk/fixed-point.js";
import {
  ORDER_TYPE,
  ORDER_TYPEHASH,
  accountId,
  isExpired,
  isPostOnly,
  isPriceWithinLimit,
  isReduceOnly,
  isWellFormed,
  NONCE_LIMIT,
  orderDigest,
  orderDomain,
  orderHash,
  recoverOrderSigner,
  signOrder,
  signedFillX18,
  type Order,
} from "../../sdk/orders.js";
import { MAX_ABS_SIZE_X18, MAX_PRICE_X18 } from "../../sdk/positions.js";
import { OrderLibHarness__factory, type OrderLibHarness } from "../../typechain-types/index.js";
import { SeededRandom, chunks } from "./random.js";

/**
 * Differential test of signed orders: orders signed in TypeScript with ethers v6 `signTypedData`
 * (`sdk/orders.ts`) are hashed and recovered in Solidity (`OrderLib` + OpenZeppelin ECDSA against
 * the library's digest, through the harness). Struct hashes, digests, recovered signers and the
 * stateless order checks are compared on seeded random orders that cover every field's range.
 */
const { ethers, networkHelpers } = await network.create();

const SEED = 0x0dde5;
const SIGNED_ORDERS = 1_500;
const CHECK_CASES = 3_000;
const BATCH = 250;
const UINT64_MAX = 2n ** 64n - 1n;
const UINT96_MAX = 2n ** 96n - 1n;

async function deployHarnessFixture(): Promise<OrderLibHarness> {
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("no signer");
  return new OrderLibHarness__factory(deployer).deploy();
}

/** Deterministic wallets (test keys derived from a label, never funded). */
const wallets = Array.from(
  { length: 16 },
  (_, i) => new Wallet(keccak256(toUtf8Bytes(`sundial order signer ${i}`))),
);

function randomAddress(r: SeededRandom): string {
  return getAddress(hexlify(Uint8Array.from({ length: 20 }, () => r.int(256))));
}

function randomOrder(r: SeededRandom, signer: string): Order {
  const sizeRoll = r.float();
  const priceRoll = r.float();
  return {
    owner: r.chance(0.7) ? signer : randomAddress(r),
    subaccount: r.chance(0.5) ? 0n : r.chance(0.5) ? BigInt(r.int(10)) : r.between(0n, UINT96_MAX),
    signer,
    marketId: r.chance(0.5)
      ? encodeBytes32String(r.pick(["AAPL-USD", "TSLA-USD", "NVDA-USD", "SPY-USD"]))
      : hexlify(Uint8Array.from({ length: 32 }, () => r.int(256))),
    isBuy: r.chance(0.5),
    sizeX18:
      sizeRoll < 0.03 ? 0n : sizeRoll < 0.06 ? r.between(MAX_ABS_SIZE_X18, 2n ** 256n - 1n) : r.magnitude(30),
    limitPriceX18:
      priceRoll < 0.03 ? 0n : priceRoll < 0.06 ? r.between(MAX_PRICE_X18, 2n ** 256n - 1n) : r.magnitude(24),
    expiry: r.chance(0.1) ? UINT64_MAX : r.between(1_700_000_000n, 1_900_000_000n),
    nonce: r.chance(0.4)
      ? BigInt(r.int(5_000))
      : r.chance(0.5)
        ? r.between(NONCE_LIMIT - 2n, NONCE_LIMIT + 1n)
        : r.bits(256),
    epoch: r.chance(0.7) ? 0n : r.between(0n, UINT64_MAX),
    flags: r.chance(0.6) ? r.int(4) : r.int(256),
  };
}

describe("OrderLib vs sdk/orders.ts (differential)", function () {
  it("agrees on the type string, typehash and domain separator", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    expect(await harness.orderType()).to.equal(ORDER_TYPE);
    expect(await harness.orderTypehash()).to.equal(ORDER_TYPEHASH);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = orderDomain(chainId, await harness.getAddress());
    expect(await harness.domainSeparator()).to.equal(TypedDataEncoder.hashDomain(domain));
  });

  it("recovers in Solidity every order signed in TypeScript, with identical struct hashes", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = orderDomain(chainId, await harness.getAddress());
    const r = new SeededRandom(SEED);
    const signed: { order: Order; signature: string; signer: string }[] = [];
    for (let i = 0; i < SIGNED_ORDERS; i++) {
      const wallet = r.pick(wallets);
      const order = randomOrder(r, wallet.address);
      signed.push({ order, signature: await signOrder(wallet, domain, order), signer: wallet.address });
    }
    let compared = 0;
    for (const batch of chunks(signed, BATCH)) {
      const [hashes, signers] = await harness.verifyBatch(
        batch.map((s) => s.order),
        batch.map((s) => s.signature),
      );
      batch.forEach((s, i) => {
        expect(hashes[i], `struct hash ${compared}`).to.equal(orderHash(s.order));
        expect(signers[i], `recovered signer ${compared}`).to.equal(s.signer);
        expect(recoverOrderSigner(domain, s.order, s.signature)).to.equal(s.signer);
        compared++;
      });
    }
    // Digest and memory hash (abi.encode) on a sample.
    for (const s of signed.slice(0, 200)) {
      expect(await harness.digest(s.order)).to.equal(orderDigest(domain, s.order));
      expect(await harness.hash(s.order)).to.equal(orderHash(s.order));
    }
    console.log(
      `      signed orders: ${compared} signatures recovered and struct hashes compared (200 digests)`,
    );
    expect(compared).to.equal(SIGNED_ORDERS);
  });

  it("signs with a JSON-RPC signer (eth_signTypedData_v4) that Solidity recovers", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const [, trader] = await ethers.getSigners();
    if (trader === undefined) throw new Error("no signer");
    const { chainId } = await ethers.provider.getNetwork();
    const domain = orderDomain(chainId, await harness.getAddress());
    const order = randomOrder(new SeededRandom(SEED + 9), trader.address);
    const signature = await signOrder(trader, domain, order);
    expect(await harness.recover(order, signature)).to.equal(trader.address);
  });

  it("rejects a signature for another chain, another contract or a changed field (INV-9)", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const { chainId } = await ethers.provider.getNetwork();
    const address = await harness.getAddress();
    const wallet = wallets[0];
    if (wallet === undefined) throw new Error("no wallet");
    const order = randomOrder(new SeededRandom(SEED + 10), wallet.address);
    const otherChain = await signOrder(wallet, orderDomain(chainId + 1n, address), order);
    expect(await harness.recover(order, otherChain)).to.not.equal(wallet.address);
    const otherContract = await signOrder(
      wallet,
      orderDomain(chainId, randomAddress(new SeededRandom(1))),
      order,
    );
    expect(await harness.recover(order, otherContract)).to.not.equal(wallet.address);
    const signature = await signOrder(wallet, orderDomain(chainId, address), order);
    const changed = { ...order, epoch: order.epoch + 1n };
    expect(await harness.recover(changed, signature)).to.not.equal(wallet.address);
    expect(orderHash(changed)).to.not.equal(orderHash(order));
  });

  it("runs the stateless order checks identically", async function () {
    const harness = await networkHelpers.loadFixture(deployHarnessFixture);
    const r = new SeededRandom(SEED + 1);
    const cases = Array.from({ length: CHECK_CASES }, () => {
      const order = randomOrder(r, r.pick(wallets).address);
      const priceRoll = r.float();
      const nextToLimit = order.limitPriceX18 + r.between(order.limitPriceX18 === 0n ? 0n : -1n, 1n);
      return {
        order,
        fillPriceX18: priceRoll < 0.3 ? order.limitPriceX18 : priceRoll < 0.5 ? nextToLimit : r.magnitude(24),
        fillSizeX18: r.between(1n, MAX_ABS_SIZE_X18),
        nowTime: r.chance(0.2) ? order.expiry : r.between(1_700_000_000n, 1_900_000_000n),
      };
    });
    let compared = 0;
    for (const batch of chunks(cases, BATCH)) {
      const results = await harness.checksBatch(
        batch.map((c) => c.order),
        batch.map((c) => c.fillPriceX18),
        batch.map((c) => c.fillSizeX18),
        batch.map((c) => c.nowTime),
      );
      batch.forEach((c, i) => {
        const got = results[i];
        if (got === undefined) throw new Error("missing result");
        expect(got.account).to.equal(accountId(c.order.owner, c.order.subaccount));
        expect(got.wellFormed).to.equal(isWellFormed(c.order));
        expect(got.expired).to.equal(isExpired(c.order, c.nowTime));
        expect(got.reduceOnly).to.equal(isReduceOnly(c.order));
        expect(got.postOnly).to.equal(isPostOnly(c.order));
        expect(got.priceWithinLimit).to.equal(isPriceWithinLimit(c.order, c.fillPriceX18));
        expect(got.signedFillX18).to.equal(signedFillX18(c.order, c.fillSizeX18));
        compared++;
      });
    }
    const order = randomOrder(r, r.pick(wallets).address);
    expect(() => signedFillX18(order, 0n)).to.throw(SundialMathError, "Order_FillSizeOutOfRange");
    console.log(`      order checks: ${compared} orders compared`);
    expect(compared).to.equal(CHECK_CASES);
  });
});
