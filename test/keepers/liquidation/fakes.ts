/**
 * In-memory stand-ins for the liquidation keeper's chain and submitter: a block list with account
 * events (reorgs by replacing blocks), accounts whose health the test sets, a liquidation rule that
 * closes half a position per call (the partial rule), an insurance fund that can be short (ADL),
 * and a submitter whose transactions can be mined, left pending, dropped or hit a nonce conflict.
 */
import { makeError, type TransactionReceipt } from "ethers";
import type { AccountSighting, EventSource } from "../../../keepers/liquidation/indexer.js";
import type {
  AdlPlan,
  BatchEntryOutcome,
  LiquidationChain,
  LiquidationEntry,
  LiquidationTarget,
} from "../../../keepers/liquidation/keeper.js";
import type { AccountRisk } from "../../../keepers/liquidation/scanner.js";
import {
  SimulationError,
  type Resumed,
  type SignedTx,
  type SubmitHooks,
  type Submitter,
  type TxRequest,
} from "../../../keepers/lib/submitter.js";

export const MARKET = "0x" + "aa".repeat(32);

/** A 32-byte account id `0x00…0n`. */
export function acct(n: number): string {
  return "0x" + n.toString(16).padStart(64, "0");
}

export interface FakeBlock {
  hash: string;
  sightings: string[];
}

/** Blocks with account sightings; block i has hash `0x<fork><i>`. */
export class FakeEvents implements EventSource {
  blocks: FakeBlock[] = [];
  readonly ranges: [number, number][] = [];
  /** Throws this once on the next `accountsIn` (then clears). */
  failNext: Error | undefined;
  /** Refuses ranges larger than this (like a provider's log limit). */
  maxRange = Infinity;
  private fork = 0;

  /** Appends `count` blocks; `sightings[i]` are the accounts of the i-th new block. */
  mine(count: number, sightings: Record<number, string[]> = {}): void {
    for (let i = 0; i < count; i++) {
      const n = this.blocks.length;
      this.blocks.push({ hash: `0x${this.fork}f${n}`, sightings: sightings[i] ?? [] });
    }
  }

  /** Replaces every block from `from` on with a new fork of `count` blocks. */
  reorg(from: number, count: number, sightings: Record<number, string[]> = {}): void {
    this.fork++;
    this.blocks = this.blocks.slice(0, from);
    this.mine(count, sightings);
  }

  async blockNumber(): Promise<number> {
    return this.blocks.length - 1;
  }

  async blockHash(n: number): Promise<string | null> {
    return this.blocks[n]?.hash ?? null;
  }

  async accountsIn(from: number, to: number): Promise<AccountSighting[]> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    if (to - from + 1 > this.maxRange) throw new Error("query returned more than 10000 results");
    this.ranges.push([from, to]);
    const out: AccountSighting[] = [];
    for (let n = from; n <= to; n++) {
      for (const account of this.blocks[n]?.sightings ?? []) out.push({ account, block: n });
    }
    return out;
  }
}

/** A transport error ethers would raise (retryable). */
export function networkError(): Error {
  return makeError("connection refused", "NETWORK_ERROR", { event: "request" });
}

export interface FakeAccount {
  /** Position size in `MARKET` (whole units; the fake has one market). */
  size: bigint;
  liquidatable: boolean;
  /** Liquidations needed before the account is healthy again. */
  roundsToHealthy: number;
  badDebt: boolean;
  /** Insurance fund too small: liquidation simulation reverts with InsuranceInsufficient. */
  bankrupt: boolean;
}

/** Encoded `Liquidation_InsuranceInsufficient` revert data (selector only matters). */
export const INSURANCE_INSUFFICIENT = "0xdeadbeef";

export class FakeLiquidationChain extends FakeEvents implements LiquidationChain {
  readonly accounts = new Map<string, FakeAccount>();
  readonly healthCalls: string[][] = [];
  /** Fails the next `n` health reads with a transport error. */
  healthFailures = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Accounts ranked for ADL: the profitable opposite side. */
  adlTargets: string[] = [];

  set(account: string, state: Partial<FakeAccount>): void {
    const current = this.accounts.get(account) ?? {
      size: 10n,
      liquidatable: false,
      roundsToHealthy: 1,
      badDebt: false,
      bankrupt: false,
    };
    this.accounts.set(account, { ...current, ...state });
  }

  async risks(accounts: readonly string[]): Promise<AccountRisk[]> {
    this.healthCalls.push([...accounts]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    if (this.healthFailures > 0) {
      this.healthFailures--;
      throw networkError();
    }
    return accounts.map((account) => {
      const a = this.accounts.get(account);
      return { account, liquidatable: a?.liquidatable ?? false, badDebt: a?.badDebt ?? false };
    });
  }

  async nextLiquidation(account: string): Promise<LiquidationTarget | null> {
    const a = this.accounts.get(account);
    return a === undefined || a.size === 0n ? null : { marketId: MARKET, sizeX18: 2n ** 256n - 1n };
  }

  needsAdl(revertData: string | undefined): boolean {
    return revertData === INSURANCE_INSUFFICIENT;
  }

  async adlPlan(account: string, marketId: string, accounts: readonly string[]): Promise<AdlPlan | null> {
    const opposite = accounts.filter((a) => this.adlTargets.includes(a)).sort();
    return opposite.length === 0 ? null : { marketId, target: opposite[0]!, oppositeSide: opposite };
  }

  liquidateRequest(account: string): TxRequest {
    return { to: "engine", data: `liquidate:${account}` };
  }

  liquidateBatchRequest(entries: readonly LiquidationEntry[]): TxRequest {
    return { to: "engine", data: `liquidateBatch:${entries.map((e) => e.account).join(",")}` };
  }

  /** The fake receipt's `logs` are the skipped entries (`FakeSubmitter` puts them there). */
  batchOutcomes(receipt: TransactionReceipt, count: number): BatchEntryOutcome[] {
    const skipped = receipt.logs as unknown as FakeSkip[];
    return Array.from({ length: count }, (_, index) => {
      const skip = skipped.find((s) => s.index === index);
      return skip === undefined
        ? { index, outcome: "liquidated", reason: null }
        : { index, outcome: "skipped", reason: skip.reason };
    });
  }

  adlRequest(account: string, plan: AdlPlan): TxRequest {
    return { to: "engine", data: `adl:${account}:${plan.target}` };
  }

  settleBadDebtRequest(account: string): TxRequest {
    return { to: "engine", data: `settleBadDebt:${account}` };
  }

  /** Runs just before a transaction executes (e.g. an account turns healthy between simulation and mining). */
  beforeExecute: ((data: string) => void) | undefined;

  /**
   * Applies an executed keeper transaction to the accounts (the contract's effect); for a
   * `liquidateBatch`, each entry as `liquidate` would, skipping (and returning) those it would revert.
   */
  execute(data: string): FakeSkip[] {
    this.beforeExecute?.(data);
    const [kind, list] = data.split(":") as [string, string];
    if (kind !== "liquidateBatch") {
      this.apply(data);
      return [];
    }
    const skipped: FakeSkip[] = [];
    list.split(",").forEach((account, index) => {
      const reason = this.revertReason(`liquidate:${account}`);
      if (reason === undefined) this.apply(`liquidate:${account}`);
      else skipped.push({ index, reason });
    });
    return skipped;
  }

  private apply(data: string): void {
    const [kind, account] = data.split(":") as [string, string];
    const a = this.accounts.get(account);
    if (a === undefined) throw new Error(`unknown account ${account}`);
    if (kind === "settleBadDebt") {
      a.badDebt = false;
      return;
    }
    a.size = kind === "adl" ? 0n : a.size / 2n;
    a.roundsToHealthy--;
    if (a.roundsToHealthy <= 0 || a.size === 0n) a.liquidatable = false;
    if (kind === "adl") a.bankrupt = false;
  }

  /** Why a keeper transaction would revert now, or undefined. */
  revertReason(data: string): string | undefined {
    const [kind, account] = data.split(":") as [string, string];
    const a = this.accounts.get(account);
    if (kind === "settleBadDebt") return a?.badDebt ? undefined : "0x01";
    if (kind === "liquidate") {
      if (!a?.liquidatable) return "0x02";
      if (a.bankrupt) return INSURANCE_INSUFFICIENT;
    }
    return undefined;
  }
}

/** An entry a fake `liquidateBatch` skipped, with the revert data `liquidate` gives. */
export interface FakeSkip {
  index: number;
  reason: string;
}

/** How the fake node treats the next broadcast. */
export type BroadcastMode = "mine" | "pending" | "drop" | "nonceConflict" | "throw";

interface FakeTx {
  hash: string;
  nonce: number;
  raw: string;
  signedAt: number;
  data: string;
  mined: boolean;
  /** A mined batch's skipped entries (its receipt's logs). */
  skipped: FakeSkip[];
}

/**
 * A submitter over `FakeLiquidationChain`: simulates against the fake's rules, signs fake
 * transactions (hash = nonce), and broadcasts according to `modes` (default: mined at once).
 * `nonceConflict` re-signs like `WalletSubmitter` (a second `onSigned`), then mines.
 */
export class FakeSubmitter implements Submitter {
  readonly address = "0x000000000000000000000000000000000000bEEF";
  readonly txs: FakeTx[] = [];
  readonly modes: BroadcastMode[] = [];
  readonly rebroadcasts: string[] = [];
  nonce = 0;
  /** `rebroadcast` answers "nonce too low" (another transaction took the nonce). */
  rebroadcastConflict = false;

  constructor(private readonly chain: FakeLiquidationChain) {}

  async simulate(req: TxRequest): Promise<string> {
    const reason = this.chain.revertReason(req.data);
    if (reason !== undefined) throw new SimulationError("execution reverted", reason);
    return "0x";
  }

  private sign(req: TxRequest): FakeTx {
    const nonce = this.nonce++;
    return {
      hash: `0xtx${nonce}`,
      nonce,
      raw: `raw:${nonce}:${req.data}`,
      signedAt: 0,
      data: req.data,
      mined: false,
      skipped: [],
    };
  }

  private receiptOf(tx: FakeTx): TransactionReceipt {
    return { hash: tx.hash, status: 1, gasUsed: 100_000n, logs: tx.skipped } as unknown as TransactionReceipt;
  }

  private mine(tx: FakeTx): void {
    tx.mined = true;
    tx.skipped = this.chain.execute(tx.data);
  }

  async submit(req: TxRequest, hooks: SubmitHooks = {}): Promise<TransactionReceipt> {
    await this.simulate(req);
    let tx = this.sign(req);
    await hooks.onSigned?.(tx);
    const mode = this.modes.shift() ?? "mine";
    if (mode === "nonceConflict") {
      tx = this.sign(req);
      await hooks.onSigned?.(tx);
    }
    if (mode === "throw") throw networkError();
    this.txs.push(tx);
    if (mode === "drop") throw new Error(`no receipt for ${tx.hash} (dropped)`);
    if (mode === "pending") throw new Error(`no receipt for ${tx.hash} after 120000 ms`);
    this.mine(tx);
    return this.receiptOf(tx);
  }

  /** Mines a pending transaction (as the node eventually would). */
  minePending(hash: string): void {
    const tx = this.txs.find((t) => t.hash === hash);
    if (tx === undefined || tx.mined) throw new Error(`no pending ${hash}`);
    this.mine(tx);
  }

  /** Forgets a transaction (the node dropped it from its mempool). */
  forget(hash: string): void {
    const i = this.txs.findIndex((t) => t.hash === hash);
    if (i >= 0) this.txs.splice(i, 1);
  }

  /** Like `WalletSubmitter.resume`: a mined one's receipt, pending if the node has one, else rebroadcast. */
  async resume(sent: readonly SignedTx[]): Promise<Resumed> {
    for (const s of [...sent].reverse()) {
      const tx = this.txs.find((t) => t.hash === s.hash);
      if (tx?.mined) return { kind: "mined", receipt: this.receiptOf(tx) };
    }
    if (sent.some((s) => this.txs.some((t) => t.hash === s.hash))) {
      return { kind: "pending", replacement: undefined };
    }
    const raw = sent.at(-1)!.raw;
    this.rebroadcasts.push(raw);
    if (this.rebroadcastConflict) return { kind: "nonce_taken" };
    const [, nonce, ...data] = raw.split(":");
    const tx: FakeTx = {
      hash: `0xtx${nonce}`,
      nonce: Number(nonce),
      raw,
      signedAt: 0,
      data: data.join(":"),
      mined: false,
      skipped: [],
    };
    this.txs.push(tx);
    this.mine(tx);
    return { kind: "mined", receipt: this.receiptOf(tx) };
  }
}
