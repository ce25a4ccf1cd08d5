/**
 * End to end on Hardhat's in-process network: the real Clearinghouse, MarketRegistry, CollateralVault
 * and InsuranceFund (with the MockOracleAdapter of the clearinghouse's own tests), two funded traders
 * submitting signed orders over HTTP, the matcher settling a batch with its own key (WalletSubmitter:
 * simulate, estimate, sign, persist, broadcast) and positions changing on chain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, ZeroAddress, encodeBytes32String } from "ethers";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { WalletSubmitter } from "../../../keepers/lib/submitter.js";
import { EthersMatcherChain } from "../../../keepers/matcher/chain.js";
import { MatcherService } from "../../../keepers/matcher/service.js";
import { accountId, orderDomain, signOrder, type Order } from "../../../sdk/orders.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketRegistry__factory,
  MockOracleAdapter__factory,
  MockUSDC__factory,
} from "../../../typechain-types/index.js";
import type { MarketRegistry } from "../../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const E18 = 10n ** 18n;
const USDC = 10n ** 6n;
const AAPL = encodeBytes32String("AAPL-USD");

/** A writable copy of the registry's (read-only) default circuit-breaker result. */
function breakerOf(b: Awaited<ReturnType<MarketRegistry["defaultCircuitBreakerParams"]>>) {
  const {
    level1Bps,
    level2Bps,
    level3Bps,
    windowSec,
    level1HaltSec,
    level2HaltSec,
    level3HaltSec,
    reduceOnlySec,
  } = b;
  return {
    level1Bps,
    level2Bps,
    level3Bps,
    windowSec,
    level1HaltSec,
    level2HaltSec,
    level3HaltSec,
    reduceOnlySec,
  };
}

async function deploySystem() {
  const [admin, guardian, alice, bob, carol] = (await ethers.getSigners()) as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const usdc = await new MockUSDC__factory(admin).deploy();
  const insurance = await new InsuranceFund__factory(admin).deploy(usdc, admin.address);
  const vault = await new CollateralVault__factory(admin).deploy(
    usdc,
    insurance,
    admin.address,
    guardian.address,
  );
  const oracle = await new MockOracleAdapter__factory(admin).deploy(ZeroAddress);
  const registry = await new MarketRegistry__factory(admin).deploy(oracle, admin.address);
  const ch = await new Clearinghouse__factory(admin).deploy(
    vault,
    oracle,
    registry,
    admin.address,
    guardian.address,
  );
  await insurance.setVault(vault);
  await vault.setMarginAuthority(ch);
  await registry.grantRole(await registry.MARKET_LISTER_ROLE(), admin.address);
  await oracle.list(AAPL, 100n * E18, 2_000);
  const session = {
    initialMarginBps: 2_500,
    maintenanceMarginBps: 1_250,
    makerFeeBps: 0,
    takerFeeBps: 4,
    fillBandBps: 1_000,
    fundingMultiplierBps: 10_000,
    openInterestCapX18: 10n ** 27n,
  };
  await registry.listMarket(
    AAPL,
    {
      listed: true,
      status: 0,
      tickSizeX18: 10n ** 16n,
      stepSizeX18: 10n ** 15n,
      minOrderSizeX18: 10n ** 15n,
      funding: { rateCapPerHourX18: 10n ** 15n, interestRatePerHourX18: 5n * 10n ** 12n },
      breaker: breakerOf(await registry.defaultCircuitBreakerParams()),
    },
    [session, session, session, session, session],
  );
  for (const trader of [alice, bob]) {
    await usdc.mint(trader.address, 100_000n * USDC);
    await usdc.connect(trader).approve(vault, 100_000n * USDC);
    await vault.connect(trader).deposit(0, 100_000n * USDC);
  }
  // The matcher's own key (as loaded from --key-env in production), funded for gas.
  const matcherKey = new Wallet(Wallet.createRandom().privateKey);
  await networkHelpers.setBalance(matcherKey.address, 10n ** 20n);
  await ch.grantRole(await ch.MATCHER_ROLE(), matcherKey.address);
  return { ch, vault, alice, bob, carol, matcherKey };
}

describe("matcher on Hardhat's network (integration)", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "matcher-it-"));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("settles orders submitted over HTTP and positions change on chain; a bad taker is skipped and dropped", async () => {
    const { ch, alice, bob, carol, matcherKey } = await networkHelpers.loadFixture(deploySystem);
    const chAddress = await ch.getAddress();
    const chain = await EthersMatcherChain.connect(ethers.provider, chAddress);
    const wallet = matcherKey.connect(ethers.provider);
    const submitter = new WalletSubmitter(wallet, ethers.provider, silentLogger, { receiptPollMs: 10 });
    const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const service = new MatcherService(
      {
        dbPath: join(dir, "matcher.sqlite"),
        host: "127.0.0.1",
        port: 0,
        batchSize: 20,
        settleIntervalMs: 3_600_000,
        expiryMarginSec: 5n,
        cancelPollMs: 0,
        now: () => latest,
      },
      chain,
      submitter,
      silentLogger,
    );
    const port = await service.start();
    const domain = orderDomain(chain.chainId, chAddress);
    expect(await ch.domainSeparator()).to.equal(
      ethers.TypedDataEncoder.hashDomain(domain as Parameters<typeof ethers.TypedDataEncoder.hashDomain>[0]),
    );

    let nonce = 1n;
    const post = async (signer: typeof alice, isBuy: boolean, size: bigint, price: bigint) => {
      const order: Order = {
        owner: signer.address,
        subaccount: 0n,
        signer: signer.address,
        marketId: AAPL,
        isBuy,
        sizeX18: size * E18,
        limitPriceX18: price * E18,
        expiry: latest + 3600n,
        nonce: nonce++,
        epoch: 0n,
        flags: 0,
      };
      const signature = await signOrder(signer, domain, order);
      const res = await fetch(`http://127.0.0.1:${port}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ order, signature }, (_k, v: unknown) =>
          typeof v === "bigint" ? v.toString() : v,
        ),
      });
      const json = (await res.json()) as { hash: string; error?: unknown };
      expect(res.status, JSON.stringify(json)).to.equal(201);
      expect(json.hash).to.equal(await ch.hashOrder(order));
      return json.hash;
    };

    const ask = await post(alice, false, 3n, 100n);
    const bid = await post(bob, true, 2n, 101n);
    const broke = await post(carol, true, 1n, 100n); // carol has no collateral: TAKER_MARGIN

    const results = await service.settler.drain();
    expect(results.map((r) => r.kind)).to.deep.equal(["confirmed"]);
    const confirmed = results[0] as { settled: number; skipped: number; gasUsed: bigint };
    expect([confirmed.settled, confirmed.skipped]).to.deep.equal([1, 1]);

    expect((await ch.position(accountId(bob.address, 0n), AAPL)).sizeX18).to.equal(2n * E18);
    expect((await ch.position(accountId(alice.address, 0n), AAPL)).sizeX18).to.equal(-2n * E18);
    expect(await ch.filledX18(ask)).to.equal(2n * E18);

    const view = service.engine.view(broke)!;
    expect(view).to.include({ status: "rejected", reason: "TAKER_MARGIN" });
    expect(service.engine.view(bid)!.status).to.equal("filled");
    // Alice's remaining share is back in the book after carol's match was skipped.
    expect(service.engine.view(ask)!.restingX18).to.equal(E18.toString());
    expect(service.metrics.matchesSkipped.get({ reason: "TAKER_MARGIN" })).to.equal(1);
    await service.stop();
  });
});
