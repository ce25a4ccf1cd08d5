/**
 * An in-memory matcher: a `MatcherChain` with in-memory markets and cancellation state, and a
 * `Submitter` that "executes" `settleMatches` by decoding the calldata and asking a policy for each
 * match's outcome (the real ABI encoding of `IClearinghouse`). The matcher's tests use them as test
 * doubles (through `test/keepers/matcher/fakes.ts`) and `scripts/bench-matcher.ts` to measure the
 * matcher without RPC latency; nothing in production imports this module.
 */
import {
  Interface,
  Wallet,
  encodeBytes32String,
  keccak256,
  toUtf8Bytes,
  type TransactionReceipt,
} from "ethers";
import { type Order, orderDomain, signOrder } from "../../sdk/orders.js";
import { silentLogger } from "../../keepers/lib/logger.js";
import type { Resumed, SignedTx, SubmitHooks, Submitter, TxRequest } from "../../keepers/lib/submitter.js";
import { SimulationError } from "../../keepers/lib/submitter.js";
import type {
  ChainCancellation,
  MarketInfo,
  MatchCall,
  MatchOutcome,
  MatcherChain,
  OrderChainState,
  SkipReasonName,
} from "../../keepers/matcher/chain.js";
import { SKIP_REASONS } from "../../keepers/matcher/chain.js";
import { IClearinghouse__factory } from "../../typechain-types/index.js";
import { createMatcherMetrics } from "../../keepers/matcher/metrics.js";
import { MatcherEngine } from "../../keepers/matcher/engine.js";
import { MatcherStore } from "../../keepers/matcher/store.js";
import { BatchSettler } from "../../keepers/matcher/settlement.js";

export const E18 = 10n ** 18n;
export const MARKET = encodeBytes32String("AAPL-USD");
export const CHAIN_ID = 31337n;
export const CLEARINGHOUSE = "0x00000000000000000000000000000000000c1ea2";
export const NOW = 1_800_000_000n;

const chInterface: Interface = IClearinghouse__factory.createInterface();

export class FakeChain implements MatcherChain {
  readonly chainId = CHAIN_ID;
  readonly clearinghouse = CLEARINGHOUSE;
  markets = new Map<string, MarketInfo>([
    [
      MARKET,
      {
        listed: true,
        status: "ACTIVE",
        tickSizeX18: 10n ** 16n,
        stepSizeX18: 10n ** 15n,
        minOrderSizeX18: 10n ** 16n,
        epoch: 0n,
      },
    ],
  ]);
  operators = new Set<string>();
  contractSigners = new Map<string, (digest: string, signature: string) => boolean>();
  cancelledHashes = new Set<string>();
  nonceFloors = new Map<string, bigint>();
  filled = new Map<string, bigint>();
  events: { block: number; event: ChainCancellation }[] = [];
  head = 1;
  /** Outcomes by receipt hash, filled by `FakeSubmitter`. */
  outcomes = new Map<string, MatchOutcome[]>();

  async market(marketId: string): Promise<MarketInfo> {
    return (
      this.markets.get(marketId) ?? {
        listed: false,
        status: "ACTIVE",
        tickSizeX18: 0n,
        stepSizeX18: 0n,
        minOrderSizeX18: 0n,
        epoch: 0n,
      }
    );
  }
  async hasCode(address: string): Promise<boolean> {
    return this.contractSigners.has(address.toLowerCase());
  }
  async isValidContractSignature(signer: string, digest: string, signature: string): Promise<boolean> {
    return this.contractSigners.get(signer.toLowerCase())?.(digest, signature) ?? false;
  }
  async isOperator(owner: string, operator: string): Promise<boolean> {
    return this.operators.has(`${owner.toLowerCase()}:${operator.toLowerCase()}`);
  }
  async orderState(owner: string, nonce: bigint, orderHash: string): Promise<OrderChainState> {
    return {
      cancelled: this.cancelledHashes.has(orderHash),
      nonceUsed: false,
      nonceFloor: this.nonceFloors.get(owner.toLowerCase()) ?? 0n,
      filledX18: this.filled.get(orderHash) ?? 0n,
    };
  }
  encodeSettleMatches(matches: readonly MatchCall[]): string {
    return chInterface.encodeFunctionData("settleMatches", [matches.map((m) => ({ ...m }))]);
  }
  parseSettlement(receipt: TransactionReceipt): MatchOutcome[] {
    return this.outcomes.get(receipt.hash) ?? [];
  }
  async blockNumber(): Promise<number> {
    return this.head;
  }
  async cancellations(fromBlock: number, toBlock: number): Promise<ChainCancellation[]> {
    return this.events.filter((e) => e.block >= fromBlock && e.block <= toBlock).map((e) => e.event);
  }
}

/** Decodes a `settleMatches` calldata into its match calls. */
export function decodeMatches(data: string): MatchCall[] {
  const [matches] = chInterface.decodeFunctionData("settleMatches", data) as unknown as [
    {
      maker: Order & { flags: bigint };
      makerSignature: string;
      taker: Order & { flags: bigint };
      takerSignature: string;
      fillSizeX18: bigint;
    }[],
  ];
  return matches.map((m) => ({
    maker: m.maker,
    makerSignature: m.makerSignature,
    taker: m.taker,
    takerSignature: m.takerSignature,
    fillSizeX18: m.fillSizeX18,
  }));
}

export type Policy = (match: MatchCall, index: number) => true | SkipReasonName;

/** A submitter whose "chain" settles or skips each match as `policy` says. */
export class FakeSubmitter implements Submitter {
  readonly address = "0x000000000000000000000000000000000000beef";
  policy: Policy = () => true;
  /** Make the next `submit` throw after signing (a crash between broadcast and receipt). */
  failAfterSigning = false;
  simulateRevert = false;
  sent: { hash: string; raw: string; matches: MatchCall[] }[] = [];
  known = new Set<string>();
  receipts = new Map<string, TransactionReceipt>();
  private nonce = 0;

  constructor(private readonly chain: FakeChain) {}

  async simulate(req: TxRequest): Promise<string> {
    if (this.simulateRevert) throw new SimulationError("execution reverted: TradingPaused", "0xdeadbeef");
    return req.data;
  }

  async submit(req: TxRequest, hooks: SubmitHooks = {}): Promise<TransactionReceipt> {
    await this.simulate(req);
    const nonce = this.nonce++;
    const raw = JSON.stringify({ nonce, data: req.data });
    const signed: SignedTx = { hash: keccak256(toUtf8Bytes(raw)), nonce, raw, signedAt: 0 };
    await hooks.onSigned?.(signed);
    if (this.failAfterSigning) {
      this.failAfterSigning = false;
      throw new Error("connection reset after broadcast");
    }
    return this.execute(signed.hash, raw);
  }

  /** Executes a signed "transaction" (decoding its calldata) and records its receipt. */
  execute(hash: string, raw: string): TransactionReceipt {
    const existing = this.receipts.get(hash);
    if (existing) return existing;
    const { data } = JSON.parse(raw) as { data: string };
    const matches = decodeMatches(data);
    this.sent.push({ hash, raw, matches });
    const outcomes: MatchOutcome[] = matches.map((m, index) => {
      const verdict = this.policy(m, index);
      return verdict === true ? { index, settled: true } : { index, settled: false, reason: verdict };
    });
    this.chain.outcomes.set(hash, outcomes);
    const receipt = { hash, status: 1, gasUsed: BigInt(60_000 * matches.length), logs: [] };
    this.receipts.set(hash, receipt as unknown as TransactionReceipt);
    return receipt as unknown as TransactionReceipt;
  }

  /** Like `WalletSubmitter.resume`: a mined one's receipt, pending if the node has one, else rebroadcast. */
  async resume(sent: readonly SignedTx[]): Promise<Resumed> {
    for (const s of [...sent].reverse()) {
      const receipt = this.receipts.get(s.hash);
      if (receipt) return { kind: "mined", receipt };
    }
    if (sent.some((s) => this.known.has(s.hash))) return { kind: "pending", replacement: undefined };
    const latest = sent.at(-1)!;
    return { kind: "mined", receipt: this.execute(latest.hash, latest.raw) };
  }
}

export const skipReason = (i: number): SkipReasonName => SKIP_REASONS[i]!;

let nonceCounter = 0n;

export function makeOrder(
  wallet: Wallet,
  isBuy: boolean,
  size: bigint,
  price: bigint,
  extra: Partial<Order> = {},
): Order {
  return {
    owner: wallet.address,
    subaccount: 0n,
    signer: wallet.address,
    marketId: MARKET,
    isBuy,
    sizeX18: size * E18,
    limitPriceX18: price * E18,
    expiry: NOW + 3600n,
    nonce: nonceCounter++,
    epoch: 0n,
    flags: 0,
    ...extra,
  };
}

export const domain = orderDomain(CHAIN_ID, CLEARINGHOUSE);

export async function signed(wallet: Wallet, order: Order): Promise<{ order: Order; signature: string }> {
  return { order, signature: await signOrder(wallet, domain, order) };
}

/** The JSON body of POST /orders. */
export function body(s: { order: Order; signature: string }): unknown {
  return JSON.parse(
    JSON.stringify(s, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  ) as unknown;
}

/** An engine + settler over a fake chain and a database at `dbPath` (a fake submitter by default). */
export function makeMatcher<S extends Submitter = FakeSubmitter>(
  dbPath: string,
  chain = new FakeChain(),
  given?: S,
  batchSize = 20,
) {
  const submitter = given ?? (new FakeSubmitter(chain) as unknown as S);
  const store = new MatcherStore(dbPath);
  const metrics = createMatcherMetrics();
  const engine = new MatcherEngine(store, chain, silentLogger, metrics, {
    expiryMarginSec: 5n,
    now: () => NOW,
  });
  const settler = new BatchSettler(store, engine, chain, submitter, silentLogger, metrics, { batchSize });
  return { store, metrics, engine, settler, chain, submitter };
}

/**
 * What `makeMatcher` returns, with its submitter's type (`ReturnType<typeof makeMatcher>` would see
 * only a `Submitter`, the generic's constraint).
 */
export type FakeMatcher<S extends Submitter = FakeSubmitter> = ReturnType<typeof makeMatcher<S>>;
