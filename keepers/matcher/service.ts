/**
 * The running matcher: store + engine + settler + HTTP API + background loops (settle a batch every
 * `settleIntervalMs`, sweep expired orders, follow on-chain cancellations), with a clean stop:
 * refuse new orders, stop the loops, finish the in-flight batch, close HTTP, close the database.
 */
import type { Logger } from "../lib/logger.js";
import type { Submitter } from "../lib/submitter.js";
import { MatcherApi } from "./api.js";
import type { MatcherChain } from "./chain.js";
import { MatcherEngine } from "./engine.js";
import { type MatcherMetrics, createMatcherMetrics } from "./metrics.js";
import { BatchSettler } from "./settlement.js";
import { MatcherStore } from "./store.js";

export interface MatcherServiceConfig {
  dbPath: string;
  host: string;
  port: number;
  batchSize: number;
  settleIntervalMs: number;
  expiryMarginSec: bigint;
  /** How often to read cancellation events from chain (0 = never). */
  cancelPollMs: number;
  /** Unix seconds (tests pin it to the chain's time). */
  now?: () => bigint;
}

const META_CANCEL_BLOCK = "cancellations.lastBlock";

export class MatcherService {
  readonly store: MatcherStore;
  readonly engine: MatcherEngine;
  readonly settler: BatchSettler;
  readonly api: MatcherApi;
  readonly metrics: MatcherMetrics;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private loopBusy = false;
  port = 0;

  constructor(
    private readonly config: MatcherServiceConfig,
    private readonly chain: MatcherChain,
    submitter: Submitter,
    private readonly logger: Logger,
    metrics?: MatcherMetrics,
  ) {
    this.metrics = metrics ?? createMatcherMetrics();
    const now = config.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
    this.store = new MatcherStore(config.dbPath);
    this.engine = new MatcherEngine(this.store, chain, logger.child({ component: "engine" }), this.metrics, {
      expiryMarginSec: config.expiryMarginSec,
      now,
    });
    this.settler = new BatchSettler(
      this.store,
      this.engine,
      chain,
      submitter,
      logger.child({ component: "settlement" }),
      this.metrics,
      { batchSize: config.batchSize },
    );
    this.api = new MatcherApi(this.engine, this.metrics, logger.child({ component: "api" }), {
      accepting: () => !this.stopping,
      details: () => ({
        queuedFills: this.store.countFills("queued"),
        submittedFills: this.store.countFills("submitted"),
        pendingBatches: this.store.pendingBatches().length,
      }),
    });
  }

  /** Reconciles unfinished batches, rebuilds the books, listens, starts the loops. */
  async start(): Promise<number> {
    await this.settler.reconcile();
    this.engine.load();
    this.port = await this.api.listen(this.config.port, this.config.host);
    this.logger.info("matcher listening", { host: this.config.host, port: this.port });
    this.timers.push(setInterval(() => void this.tick(), this.config.settleIntervalMs));
    if (this.config.cancelPollMs > 0) {
      this.timers.push(setInterval(() => void this.pollCancellations(), this.config.cancelPollMs));
    }
    return this.port;
  }

  /** One background step: sweep expired orders, settle one batch. Never overlaps itself. */
  async tick(): Promise<void> {
    if (this.loopBusy || this.stopping) return;
    this.loopBusy = true;
    try {
      this.engine.sweepExpired();
      await this.settler.flush();
    } catch (err) {
      this.logger.error("settlement loop error", { err });
    } finally {
      this.loopBusy = false;
    }
  }

  /** Applies cancellations from chain events since the last processed block. */
  async pollCancellations(): Promise<number> {
    try {
      const head = await this.chain.blockNumber();
      const last = this.store.getMeta(META_CANCEL_BLOCK);
      const from = last === undefined ? head : Number(last) + 1;
      if (from > head) return 0;
      const removed = this.engine.applyChainCancellations(await this.chain.cancellations(from, head));
      this.store.setMeta(META_CANCEL_BLOCK, String(head));
      if (removed > 0) this.logger.info("on-chain cancellations applied", { removed, from, to: head });
      return removed;
    } catch (err) {
      this.logger.error("cancellation poll failed", { err });
      return 0;
    }
  }

  /** Graceful stop (idempotent). */
  async stop(): Promise<void> {
    if (this.stopping && !this.store.isOpen) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const inFlight = this.settler.current;
    if (inFlight) {
      this.logger.info("waiting for the in-flight batch");
      await inFlight.catch(() => undefined);
    }
    await this.api.close();
    this.store.close();
    this.logger.info("matcher stopped");
  }
}
