/**
 * The liquidation keeper's logic (SPEC 7, 9). One tick:
 *
 * 1. **Reconcile** the keeper's unfinished transactions from the database (a crash or a receipt
 *    timeout): `signing` rows were never signed → failed; a `sent` row one of whose attempts (the
 *    first transaction and its fee-bumped replacements) has a receipt is finished with that one;
 *    one the node still knows is left pending (its account is skipped this tick) and replaced with
 *    higher fees when it has waited `replaceAfterMs`; one the node does not know is rebroadcast byte
 *    for byte (same nonce: it can execute at most once); if its nonce was taken by another
 *    transaction it can never execute → failed.
 * 2. **Index** new confirmed blocks for accounts (`AccountIndexer`).
 * 3. **Scan** every known account's health in batches (`HealthScanner`).
 * 4. **Liquidate** the liquidatable accounts in rounds: each account's next liquidation (its largest
 *    position, as much as the partial rule allows), simulated first; then the health of the accounts
 *    liquidated is read again and those still liquidatable go into the next round (partial
 *    liquidation: at most half a position per call while the margin ratio is ≥ MM/2), up to
 *    `maxRoundsPerAccount` rounds per tick. A round takes the accounts `liquidationsPerTx` at a time
 *    and sends each group's liquidations in one `liquidateBatch` transaction (the market read is paid
 *    once per transaction); an entry the engine skips on chain (`LiquidationSkipped`) is read from
 *    the receipt.
 *    When a liquidation's simulation (or a skipped entry) says the insurance fund cannot cover the
 *    account's deficit, one ADL step instead (the engine needs the best-ranked opposite position and
 *    the complete opposite side, which only an indexer of every account can supply).
 * 5. **Settle bad debt** of accounts with no position and a negative balance.
 *
 * Every transaction row (with a batch's entries) is written before signing and its signed bytes before
 * broadcast, so a restart neither repeats nor loses work; so is every replacement the submitter signs for a stuck
 * transaction. RPC reads are retried with capped exponential backoff and counted; a nonce conflict is
 * handled by the submitter (it re-signs only after checking that none of the earlier transactions
 * was mined) and counted here.
 */
import type { TransactionReceipt } from "ethers";
import type { Logger } from "../lib/logger.js";
import type { MetricsRegistry } from "../lib/metrics.js";
import {
  SimulationError,
  withRetries,
  type RetryOptions,
  type SignedTx,
  type Submitter,
  type TxRequest,
} from "../lib/submitter.js";
import { AccountIndexer, type EventSource, type IndexerConfig } from "./indexer.js";
import { HealthScanner, type HealthSource, type ScanConfig } from "./scanner.js";
import type { KeeperTxKind, LiquidationStore, MemberOutcome, StoredKeeperTx } from "./store.js";

/** The size of `account`'s position in `marketId` to liquidate next. */
export interface LiquidationTarget {
  marketId: string;
  sizeX18: bigint;
}

/** One liquidation to send: an account and its next target. */
export interface LiquidationEntry {
  account: string;
  target: LiquidationTarget;
}

/** What a mined `liquidateBatch` did with the entry at `index` (`reason`: the engine's revert data). */
export interface BatchEntryOutcome {
  index: number;
  outcome: MemberOutcome;
  reason: string | null;
}

/** The engine's `LIQ_MAX_BATCH`: liquidations one `liquidateBatch` accepts at most. */
export const MAX_LIQUIDATIONS_PER_TX = 50;

/** An auto-deleveraging step: the best-ranked `target` and the complete opposite side (ids ascending). */
export interface AdlPlan {
  marketId: string;
  target: string;
  oppositeSide: string[];
}

/** Everything the keeper needs from the chain; `chain.ts` implements it over ethers. */
export interface LiquidationChain extends EventSource, HealthSource {
  /** The next liquidation of a liquidatable account (its largest position, "as much as allowed"), or null. */
  nextLiquidation(account: string): Promise<LiquidationTarget | null>;
  /**
   * Whether a liquidation's revert data (of its simulation, or of a skipped batch entry) means the
   * insurance fund cannot cover: ADL is next.
   */
  needsAdl(revertData: string | undefined): boolean;
  /** The ADL step for `account` in `marketId` among `accounts` (every known account), or null. */
  adlPlan(account: string, marketId: string, accounts: readonly string[]): Promise<AdlPlan | null>;
  liquidateRequest(account: string, target: LiquidationTarget): TxRequest;
  /** One `liquidateBatch` of `entries` (at most `MAX_LIQUIDATIONS_PER_TX`), in that order. */
  liquidateBatchRequest(entries: readonly LiquidationEntry[]): TxRequest;
  /** Each entry's outcome in the receipt of a `liquidateBatch` of `count` entries, by index. */
  batchOutcomes(receipt: TransactionReceipt, count: number): BatchEntryOutcome[];
  adlRequest(account: string, plan: AdlPlan): TxRequest;
  settleBadDebtRequest(account: string): TxRequest;
}

/** One keeper transaction to send. */
interface Action {
  kind: KeeperTxKind;
  account: string;
  marketId: string | null;
  sizeX18: bigint | null;
  request: TxRequest;
  fields: Record<string, unknown>;
  /** A `liquidateBatch`'s entries (stored with its row). */
  entries?: readonly LiquidationEntry[];
}

/** How an action ended: the row, and the receipt when one was mined. */
interface Sent {
  id: number;
  outcome: TxOutcome;
  receipt: TransactionReceipt | null;
}

export interface LiquidationKeeperConfig {
  indexer: IndexerConfig;
  scan: ScanConfig;
  /** Liquidations of one account per tick at most (each re-reads its health). */
  maxRoundsPerAccount: number;
  /**
   * Liquidations per transaction (1 to `MAX_LIQUIDATIONS_PER_TX`): a round with several accounts
   * sends `liquidateBatch` transactions of at most this many; 1 sends one `liquidate` per account.
   */
  liquidationsPerTx: number;
  /** Retry policy of the keeper's own reads. */
  retry: RetryOptions;
}

export type TxOutcome = "confirmed" | "reverted" | "simulation_failed" | "needs_adl" | "failed";

export interface TickResult {
  reconciled: number;
  indexedTo: number;
  accounts: number;
  liquidatable: number;
  liquidations: number;
  adl: number;
  badDebtSettled: number;
  skippedInFlight: number;
}

export class LiquidationKeeper {
  private readonly indexer: AccountIndexer;
  private readonly scanner: HealthScanner;
  private stopping = false;
  private readonly m;

  /** @throws Error when `config.liquidationsPerTx` is outside 1..`MAX_LIQUIDATIONS_PER_TX`. */
  constructor(
    private readonly chain: LiquidationChain,
    private readonly submitter: Submitter,
    private readonly store: LiquidationStore,
    private readonly config: LiquidationKeeperConfig,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    const perTx = config.liquidationsPerTx;
    if (!Number.isInteger(perTx) || perTx < 1 || perTx > MAX_LIQUIDATIONS_PER_TX) {
      throw new Error(`liquidationsPerTx must be 1 to ${MAX_LIQUIDATIONS_PER_TX}, got ${perTx}`);
    }
    this.m = {
      accounts: metrics.gauge("accounts_known", "accounts learned from events"),
      lastBlock: metrics.gauge("last_indexed_block", "last fully indexed block (the checkpoint)"),
      scanSeconds: metrics.histogram(
        "scan_duration_seconds",
        "time to scan the health of every known account",
      ),
      liquidatable: metrics.gauge("liquidatable_accounts", "liquidatable accounts found by the last scan"),
      txs: metrics.counter("transactions_total", "keeper transactions by kind and outcome"),
      sent: metrics.counter(
        "liquidations_sent_total",
        "liquidations broadcast (each entry of a liquidateBatch counts)",
      ),
      batchEntries: metrics.counter(
        "batch_entries_total",
        "entries of mined liquidateBatch transactions by outcome (liquidated, skipped)",
      ),
      rpcErrors: metrics.counter("rpc_errors_total", "failed RPC reads by operation (each retry counts)"),
      nonceConflicts: metrics.counter(
        "nonce_conflicts_total",
        "transactions re-signed after a nonce conflict",
      ),
      reorgs: metrics.counter("reorgs_total", "checkpoints rewound because their block left the chain"),
      unreadable: metrics.counter(
        "unreadable_accounts_total",
        "accounts whose health read failed alone (skipped)",
      ),
    };
    const counted = this.counted.bind(this);
    const source: EventSource = {
      blockNumber: () => counted("eth_blockNumber", () => chain.blockNumber()),
      blockHash: (n) => counted("eth_getBlockByNumber", () => chain.blockHash(n)),
      accountsIn: (from, to) => counted("eth_getLogs", () => chain.accountsIn(from, to)),
    };
    this.indexer = new AccountIndexer(source, store, config.indexer, logger.child({ component: "indexer" }));
    this.scanner = new HealthScanner(
      chain,
      config.scan,
      logger.child({ component: "scanner" }),
      () => this.m.rpcErrors.inc({ op: "health" }),
      () => this.m.unreadable.inc(),
    );
  }

  /** Stops between two transactions (the one in flight finishes); the loop waits for the tick. */
  stop(): void {
    this.stopping = true;
  }

  async tick(): Promise<TickResult> {
    const { reconciled, pending } = await this.reconcile();
    const sync = await this.indexer.sync();
    if (sync.reorg) this.m.reorgs.inc();
    this.m.lastBlock.set(this.store.checkpoint()?.block ?? this.config.indexer.startBlock - 1);
    const accounts = this.store.accounts();
    this.m.accounts.set(accounts.length);
    const scan = await this.scanner.scan(accounts);
    this.m.scanSeconds.observe(scan.durationMs / 1000);
    this.m.liquidatable.set(scan.liquidatable.length);
    const result: TickResult = {
      reconciled,
      indexedTo: sync.to,
      accounts: accounts.length,
      liquidatable: scan.liquidatable.length,
      liquidations: 0,
      adl: 0,
      badDebtSettled: 0,
      skippedInFlight: 0,
    };
    const free = scan.liquidatable.filter((account) => !pending.has(account));
    result.skippedInFlight += scan.liquidatable.length - free.length;
    const done = await this.liquidateAll(free);
    result.liquidations += done.liquidations;
    result.adl += done.adl;
    for (const account of scan.badDebt) {
      if (this.stopping) break;
      if (pending.has(account)) {
        result.skippedInFlight++;
        continue;
      }
      const request = this.chain.settleBadDebtRequest(account);
      const action = {
        kind: "settleBadDebt" as const,
        account,
        marketId: null,
        sizeX18: null,
        request,
        fields: {},
      };
      if ((await this.send(action)) === "confirmed") result.badDebtSettled++;
    }
    return result;
  }

  /**
   * Liquidates `accounts` in rounds until they are healthy (or the round limit). A round takes the
   * accounts `liquidationsPerTx` at a time: their next liquidations are read, then sent (together when
   * there are several), so the first transaction of a cascade leaves after one group's reads. After
   * the round, the health of the accounts that made progress is read again. Returns the confirmed
   * counts.
   */
  private async liquidateAll(accounts: readonly string[]): Promise<{ liquidations: number; adl: number }> {
    const done = { liquidations: 0, adl: 0 };
    const perTx = this.config.liquidationsPerTx;
    let active = [...accounts];
    for (let round = 0; round < this.config.maxRoundsPerAccount && active.length > 0; round++) {
      if (this.stopping) break;
      if (round > 0) {
        this.logger.info("accounts still liquidatable; liquidating again", {
          accounts: active.length,
          round,
          ...(active.length === 1 ? { account: active[0] } : {}),
        });
      }
      const progressed: string[] = [];
      for (let from = 0; from < active.length && !this.stopping; from += perTx) {
        const group = active.slice(from, from + perTx);
        const targets = await Promise.all(
          group.map((account) => this.counted("nextLiquidation", () => this.chain.nextLiquidation(account))),
        );
        const entries: LiquidationEntry[] = [];
        targets.forEach((target, k) => {
          if (target !== null) entries.push({ account: group[k]!, target });
        });
        progressed.push(
          ...(entries.length > 1
            ? await this.liquidateBatched(entries, done)
            : await this.liquidateEach(entries, done)),
        );
      }
      active = await this.stillLiquidatable(progressed);
    }
    return done;
  }

  /** One `liquidate` transaction per entry; the accounts liquidated (or deleveraged). */
  private async liquidateEach(
    entries: readonly LiquidationEntry[],
    done: { liquidations: number; adl: number },
  ): Promise<string[]> {
    const progressed: string[] = [];
    for (const { account, target } of entries) {
      if (this.stopping) break;
      const outcome = await this.send({
        kind: "liquidate",
        account,
        marketId: target.marketId,
        sizeX18: target.sizeX18,
        request: this.chain.liquidateRequest(account, target),
        fields: { marketId: target.marketId },
      });
      if (outcome === "confirmed") {
        done.liquidations++;
        progressed.push(account);
      } else if (outcome === "needs_adl") {
        await this.deleverageInstead(account, target.marketId, done, progressed);
      }
    }
    return progressed;
  }

  /**
   * Simulates each entry alone (a bankrupt account goes to ADL, one that would revert is dropped),
   * then sends the rest in one `liquidateBatch` (a single remaining entry as `liquidate`) and reads
   * each entry's outcome from the receipt. Returns the accounts liquidated (or deleveraged).
   */
  private async liquidateBatched(
    entries: readonly LiquidationEntry[],
    done: { liquidations: number; adl: number },
  ): Promise<string[]> {
    const progressed: string[] = [];
    const simulations = await Promise.all(
      entries.map(async (entry) => {
        try {
          await this.submitter.simulate(this.chain.liquidateRequest(entry.account, entry.target));
          return null;
        } catch (err) {
          if (err instanceof SimulationError) return err;
          throw err;
        }
      }),
    );
    const ready: LiquidationEntry[] = [];
    for (const [k, entry] of entries.entries()) {
      const err = simulations[k]!;
      if (err === null) {
        ready.push(entry);
        continue;
      }
      const needsAdl = this.chain.needsAdl(err.data);
      const outcome = needsAdl ? "needs_adl" : "simulation_failed";
      this.m.txs.inc({ kind: "liquidate", outcome });
      this.logger.warn("liquidate simulation failed", {
        account: entry.account,
        marketId: entry.target.marketId,
        outcome,
        err,
      });
      if (needsAdl) await this.deleverageInstead(entry.account, entry.target.marketId, done, progressed);
    }
    if (this.stopping) return progressed;
    if (ready.length <= 1) {
      progressed.push(...(await this.liquidateEach(ready, done)));
      return progressed;
    }
    const sent = await this.sendForReceipt({
      kind: "liquidateBatch",
      account: ready[0]!.account,
      marketId: null,
      sizeX18: null,
      request: this.chain.liquidateBatchRequest(ready),
      fields: { liquidations: ready.length },
      entries: ready,
    });
    if (sent.outcome !== "confirmed" || sent.receipt === null) return progressed;
    const members = ready.map((e) => ({ account: e.account, marketId: e.target.marketId }));
    for (const entry of this.recordBatch(sent.id, members, sent.receipt)) {
      if (entry.outcome === "liquidated") {
        done.liquidations++;
        progressed.push(entry.account);
      } else if (this.chain.needsAdl(entry.reason ?? undefined)) {
        await this.deleverageInstead(entry.account, entry.marketId, done, progressed);
      }
    }
    return progressed;
  }

  /**
   * One ADL step for `account` instead of its liquidation (the insurance fund cannot cover it);
   * counted in `done` and `progressed` when confirmed. Nothing after `stop()`.
   */
  private async deleverageInstead(
    account: string,
    marketId: string,
    done: { liquidations: number; adl: number },
    progressed: string[],
  ): Promise<void> {
    if (this.stopping || (await this.deleverage(account, marketId)) !== "confirmed") return;
    done.adl++;
    progressed.push(account);
  }

  /**
   * Stores and counts each entry's outcome of a mined `liquidateBatch` (row `id`); returns them with
   * their accounts and markets.
   */
  private recordBatch(
    id: number,
    entries: readonly { account: string; marketId: string }[],
    receipt: TransactionReceipt,
  ): (BatchEntryOutcome & { account: string; marketId: string })[] {
    const outcomes = this.chain.batchOutcomes(receipt, entries.length);
    this.store.setMemberOutcomes(id, outcomes);
    return outcomes.map((o) => {
      const { account, marketId } = entries[o.index]!;
      this.m.batchEntries.inc({ outcome: o.outcome });
      if (o.outcome === "skipped") {
        this.logger.warn("batch entry skipped by the engine", {
          id,
          index: o.index,
          account,
          marketId,
          reason: o.reason,
        });
      }
      return { ...o, account, marketId };
    });
  }

  /** Of `accounts`, those still liquidatable (health read in scan-sized batches). */
  private async stillLiquidatable(accounts: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let from = 0; from < accounts.length; from += this.config.scan.batchSize) {
      const batch = accounts.slice(from, from + this.config.scan.batchSize);
      const risks = await this.counted("health", () => this.chain.risks(batch));
      for (const risk of risks) if (risk.liquidatable) out.push(risk.account);
    }
    return out;
  }

  private async deleverage(account: string, marketId: string): Promise<TxOutcome> {
    const plan = await this.counted("adlPlan", () =>
      this.chain.adlPlan(account, marketId, this.store.accounts()),
    );
    if (plan === null) {
      this.logger.error("ADL needed but no profitable opposite position", { account, marketId });
      return "failed";
    }
    return this.send({
      kind: "adl",
      account,
      marketId,
      sizeX18: null,
      request: this.chain.adlRequest(account, plan),
      fields: { marketId, target: plan.target, candidates: plan.oppositeSide.length },
    });
  }

  /** Simulates, records, signs, broadcasts and waits for one keeper transaction. */
  private async send(action: Action): Promise<TxOutcome> {
    return (await this.sendForReceipt(action)).outcome;
  }

  /** `send`, also returning the row and the mined receipt. */
  private async sendForReceipt(action: Action): Promise<Sent> {
    const { kind, account, fields } = action;
    const members = (action.entries ?? []).map((e) => ({
      account: e.account,
      marketId: e.target.marketId,
      sizeX18: e.target.sizeX18,
    }));
    const id = this.store.beginTx(kind, account, action.marketId, action.sizeX18, members);
    let last: SignedTx | undefined;
    try {
      const receipt = await this.submitter.submit(action.request, {
        onSigned: (tx) => {
          this.store.markSent(id, tx);
          this.onSigned(kind, account, fields, tx, last);
          last = tx;
        },
      });
      const outcome = receipt.status === 1 ? "confirmed" : "reverted";
      this.store.finishTx(id, outcome, receipt.gasUsed, receipt.hash);
      this.m.txs.inc({ kind, outcome });
      const log = outcome === "confirmed" ? this.logger.info : this.logger.error;
      log.call(this.logger, `${kind} ${outcome}`, {
        account,
        ...fields,
        hash: receipt.hash,
        gasUsed: receipt.gasUsed,
      });
      return { id, outcome, receipt };
    } catch (err) {
      if (err instanceof SimulationError) {
        // Healthy again, another keeper was faster, or the insurance fund is short: nothing was signed.
        this.store.finishTx(id, "failed");
        const outcome =
          kind === "liquidate" && this.chain.needsAdl(err.data) ? "needs_adl" : "simulation_failed";
        this.m.txs.inc({ kind, outcome });
        this.logger.warn(`${kind} simulation failed`, { account, ...fields, outcome, err });
        return { id, outcome, receipt: null };
      }
      const row = this.store.tx(id);
      if (row?.status === "signing") this.store.finishTx(id, "failed");
      // A signed transaction may still be mined: the row stays `sent` and the next tick reconciles it.
      this.m.txs.inc({ kind, outcome: "failed" });
      this.logger.error(`${kind} not confirmed`, { account, ...fields, hash: row?.txHash, err });
      return { id, outcome: "failed", receipt: null };
    }
  }

  /** Counts and logs a signed transaction: the first, a fee-bumped replacement, or a re-signed one. */
  private onSigned(
    kind: KeeperTxKind,
    account: string,
    fields: Record<string, unknown>,
    tx: SignedTx,
    previous: SignedTx | undefined,
  ): void {
    const what =
      previous === undefined ? "signed" : previous.nonce === tx.nonce ? "replacement" : "re-signed";
    if (what === "re-signed") this.m.nonceConflicts.inc();
    if (what === "signed" && kind === "liquidate") this.m.sent.inc();
    if (what === "signed" && kind === "liquidateBatch") this.m.sent.inc({}, Number(fields.liquidations));
    this.logger.info(what === "replacement" ? "replacement transaction signed" : "transaction signed", {
      kind,
      account,
      ...fields,
      hash: tx.hash,
      nonce: tx.nonce,
      ...(previous === undefined ? {} : { previous: previous.hash }),
    });
  }

  /** Settles the unfinished transactions; returns how many finished and which accounts are still pending. */
  async reconcile(): Promise<{ reconciled: number; pending: Set<string> }> {
    const pending = new Set<string>();
    let reconciled = 0;
    for (const tx of this.store.unfinishedTxs()) {
      if (await this.reconcileOne(tx)) reconciled++;
      else if (tx.kind === "liquidateBatch")
        for (const m of this.store.members(tx.id)) pending.add(m.account);
      else pending.add(tx.account);
    }
    return { reconciled, pending };
  }

  /** True when `tx` is finished now; false when it is still pending on the node. */
  private async reconcileOne(tx: StoredKeeperTx): Promise<boolean> {
    const attempts = this.store.attempts(tx.id);
    if (tx.status === "signing" || attempts.length === 0) {
      this.store.finishTx(tx.id, "failed");
      this.logger.warn("unsigned transaction from a previous run dropped", {
        id: tx.id,
        account: tx.account,
      });
      return true;
    }
    let last: SignedTx = attempts.at(-1)!;
    const fields = { id: tx.id, ...(tx.marketId === null ? {} : { marketId: tx.marketId }) };
    try {
      const resumed = await this.submitter.resume(attempts, {
        onSigned: (signed) => {
          this.store.markSent(tx.id, signed);
          this.onSigned(tx.kind, tx.account, fields, signed, last);
          last = signed;
        },
      });
      switch (resumed.kind) {
        case "mined":
          this.finishFromReceipt(tx, resumed.receipt);
          return true;
        case "pending":
          this.logger.info("transaction from a previous run still pending", {
            ...fields,
            hash: last.hash,
            attempts: this.store.attempts(tx.id).length,
            replaced: resumed.replacement !== undefined,
          });
          return false;
        case "nonce_taken":
          // Its nonce was used by another transaction: none of its attempts can ever execute.
          this.store.finishTx(tx.id, "failed");
          this.m.txs.inc({ kind: tx.kind, outcome: "failed" });
          this.logger.warn("transaction from a previous run was replaced", {
            ...fields,
            hashes: attempts.map((a) => a.hash),
          });
          return true;
      }
    } catch (err) {
      this.logger.error("reconciling a transaction failed; will retry", { ...fields, hash: last.hash, err });
      return false;
    }
  }

  private finishFromReceipt(tx: StoredKeeperTx, receipt: TransactionReceipt): void {
    const outcome = receipt.status === 1 ? "confirmed" : "reverted";
    const hash = receipt.hash;
    this.store.finishTx(tx.id, outcome, receipt.gasUsed, hash);
    // A batch's entries: the next scan liquidates (or sends to ADL) whatever is still liquidatable.
    if (tx.kind === "liquidateBatch" && outcome === "confirmed") {
      this.recordBatch(tx.id, this.store.members(tx.id), receipt);
    }
    this.m.txs.inc({ kind: tx.kind, outcome });
    this.logger.info(`${tx.kind} ${outcome} (from a previous run)`, {
      id: tx.id,
      account: tx.account,
      hash,
    });
  }

  /** Runs a read with retries, counting every failed attempt. */
  private counted<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return withRetries(
      op,
      async () => {
        try {
          return await fn();
        } catch (err) {
          this.m.rpcErrors.inc({ op });
          throw err;
        }
      },
      this.logger,
      this.config.retry,
    );
  }
}
