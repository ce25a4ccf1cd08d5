/**
 * Batch settlement: takes queued fills in the order they were matched, submits them to
 * `IClearinghouse.settleMatches` in batches of at most `batchSize`, and applies each match's
 * outcome (`MatchSettled` / `MatchSkipped`) through the engine.
 *
 * Exactly-once: a batch and its fills are written as `signing` before anything is signed; each
 * signed raw transaction (hash, nonce) — the first and every fee-bumped replacement of it, all with
 * one nonce — is stored before it is broadcast. After a crash or a receipt timeout `reconcile`
 * resolves every unfinished batch from the chain: the receipt of whichever of its transactions was
 * mined applies its outcomes (once); a transaction the node still knows is awaited, and replaced
 * with higher fees when it has waited too long; one the node does not know is rebroadcast byte for
 * byte (same nonce, so it can execute at most once); a batch never signed goes back to the queue.
 */
import type { TransactionReceipt } from "ethers";
import type { Logger } from "../lib/logger.js";
import { SimulationError, type Submitter } from "../lib/submitter.js";
import type { MatcherChain } from "./chain.js";
import type { MatcherEngine } from "./engine.js";
import type { MatcherMetrics } from "./metrics.js";
import type { MatcherStore, StoredBatch } from "./store.js";

export interface SettlerOptions {
  /** Matches per `settleMatches` call (≤ the clearinghouse's maximum batch length). */
  batchSize: number;
}

export type FlushResult =
  | { kind: "idle" }
  | { kind: "confirmed"; batchId: number; settled: number; skipped: number; gasUsed: bigint }
  | { kind: "reverted"; batchId: number }
  | { kind: "simulation-failed"; batchId: number; error: SimulationError }
  | { kind: "pending"; batchId: number; error: unknown };

export class BatchSettler {
  private inFlight: Promise<FlushResult> | undefined;

  constructor(
    private readonly store: MatcherStore,
    private readonly engine: MatcherEngine,
    private readonly chain: MatcherChain,
    private readonly submitter: Submitter,
    private readonly logger: Logger,
    private readonly metrics: MatcherMetrics,
    private readonly options: SettlerOptions,
  ) {}

  /** The batch being settled, if any (shutdown waits for it). */
  get current(): Promise<FlushResult> | undefined {
    return this.inFlight;
  }

  /** Settles one batch of queued fills (at most one batch in flight at a time). */
  flush(): Promise<FlushResult> {
    this.inFlight ??= this.settleOne().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Settles batches until the queue is empty or a batch does not confirm. */
  async drain(): Promise<FlushResult[]> {
    const results: FlushResult[] = [];
    for (;;) {
      const result = await this.flush();
      if (result.kind === "idle") return results;
      results.push(result);
      if (result.kind !== "confirmed") return results;
    }
  }

  private async settleOne(): Promise<FlushResult> {
    if (this.store.pendingBatches().length > 0) {
      // An unfinished batch (e.g. no receipt yet) must resolve first: fills stay in order.
      await this.reconcile();
      if (this.store.pendingBatches().length > 0) {
        const batch = this.store.pendingBatches()[0]!;
        return { kind: "pending", batchId: batch.id, error: new Error("earlier batch still pending") };
      }
    }
    const fills = this.store.queuedFills(this.options.batchSize);
    if (fills.length === 0) return { kind: "idle" };
    const stopTimer = this.metrics.batchDuration.startTimer();
    const batchId = this.store.transaction(() => this.store.createBatch(fills.map((f) => f.id)));
    const data = this.chain.encodeSettleMatches(fills.map((f) => this.engine.matchCall(f)));
    this.logger.info("submitting batch", { batchId, matches: fills.length });
    try {
      const receipt = await this.submitter.submit(
        { to: this.chain.clearinghouse, data },
        { onSigned: (tx) => this.store.transaction(() => this.store.batchSigned(batchId, tx)) },
      );
      return this.applyReceipt(this.store.getBatch(batchId)!, receipt);
    } catch (err) {
      if (err instanceof SimulationError) {
        // Nothing was signed or sent: the fills go back to the queue in order.
        this.store.transaction(() => this.store.batchFailed(batchId));
        this.metrics.batches.inc({ outcome: "simulation_failed" });
        this.logger.error("batch simulation reverted; fills requeued", { batchId, err, data: err.data });
        return { kind: "simulation-failed", batchId, error: err };
      }
      if (this.store.getBatch(batchId)?.status === "signing") {
        this.store.transaction(() => this.store.batchFailed(batchId));
        this.metrics.batches.inc({ outcome: "failed" });
        this.logger.error("batch failed before signing; fills requeued", { batchId, err });
        return { kind: "simulation-failed", batchId, error: new SimulationError(String(err), undefined) };
      }
      this.logger.error("batch sent but not confirmed; will reconcile", { batchId, err });
      return { kind: "pending", batchId, error: err };
    } finally {
      stopTimer();
      this.engine.refreshGauges();
    }
  }

  /** Applies a receipt of batch `batch` (idempotent for a batch already confirmed). */
  private applyReceipt(batch: StoredBatch, receipt: TransactionReceipt): FlushResult {
    if (receipt.status !== 1) {
      this.store.transaction(() => this.store.batchFailed(batch.id, receipt.hash));
      this.metrics.batches.inc({ outcome: "reverted" });
      this.logger.error("batch reverted on chain; fills requeued", { batchId: batch.id, tx: receipt.hash });
      return { kind: "reverted", batchId: batch.id };
    }
    const fills = this.store.fillsOfBatch(batch.id);
    const outcomes = new Map(this.chain.parseSettlement(receipt).map((o) => [o.index, o]));
    let settled = 0;
    let skipped = 0;
    this.store.transaction(() => {
      for (const fill of fills) {
        if (fill.status !== "submitted") continue;
        const outcome = outcomes.get(fill.batchIndex ?? -1);
        if (outcome?.settled) {
          this.engine.applySettled(fill);
          settled++;
        } else {
          // A match without a MatchSettled event did not execute; the chain names the reason.
          this.engine.applySkipped(fill, outcome && !outcome.settled ? outcome.reason : "UNKNOWN_-1");
          skipped++;
        }
      }
      this.store.batchConfirmed(batch.id, receipt.gasUsed, receipt.hash);
    });
    this.metrics.batches.inc({ outcome: "confirmed" });
    if (fills.length > 0) this.metrics.batchGasPerMatch.set(Number(receipt.gasUsed) / fills.length);
    this.logger.info("batch confirmed", {
      batchId: batch.id,
      tx: receipt.hash,
      settled,
      skipped,
      gasUsed: receipt.gasUsed,
    });
    return { kind: "confirmed", batchId: batch.id, settled, skipped, gasUsed: receipt.gasUsed };
  }

  /** Resolves every `signing` / `sent` batch against the chain (startup, and before each flush). */
  async reconcile(): Promise<void> {
    for (const batch of this.store.pendingBatches()) {
      const attempts = this.store.batchAttempts(batch.id);
      if (batch.status === "signing" || attempts.length === 0) {
        this.store.transaction(() => this.store.batchFailed(batch.id));
        this.logger.warn("unsigned batch requeued", { batchId: batch.id });
        continue;
      }
      try {
        const resumed = await this.submitter.resume(attempts, {
          onSigned: (tx) => this.store.transaction(() => this.store.batchSigned(batch.id, tx)),
        });
        if (resumed.kind === "mined") {
          this.applyReceipt(batch, resumed.receipt);
        } else if (resumed.kind === "pending") {
          this.logger.info("batch transaction still pending", {
            batchId: batch.id,
            tx: resumed.replacement?.hash ?? attempts.at(-1)!.hash,
            attempts: attempts.length + (resumed.replacement === undefined ? 0 : 1),
            replaced: resumed.replacement !== undefined,
          });
        } else {
          // Another transaction used the nonce and none of ours was mined: it can never execute.
          this.store.transaction(() => this.store.batchFailed(batch.id));
          this.metrics.batches.inc({ outcome: "failed" });
          this.logger.warn("batch nonce taken by another transaction; fills requeued", {
            batchId: batch.id,
            txs: attempts.map((a) => a.hash),
          });
        }
      } catch (err) {
        this.logger.error("batch reconciliation failed; will retry", { batchId: batch.id, err });
      }
    }
  }
}
