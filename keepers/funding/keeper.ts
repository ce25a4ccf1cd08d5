/**
 * The funding keeper's logic (SPEC 5.4): call `Clearinghouse.fund(marketIds)` every `intervalSec`
 * and at every calendar session change (the funding multiplier is per session, so the premium must
 * be sampled when it changes). Each call is simulated first; when the whole batch would revert, each
 * market is simulated alone and only the ones that pass are funded (one bad market never stops the
 * others). Chain access is behind `FundingChain`, so the logic is tested without a node.
 */
import type { Session } from "../../sdk/calendar.js";
import type { Logger } from "../lib/logger.js";
import type { MetricsRegistry } from "../lib/metrics.js";
import { failureKind, type Clock } from "../common.js";

export interface FundingChain {
  /** The markets to fund (the registry's listed markets that are not settled). */
  marketIds(): Promise<string[]>;
  /** `eth_call` of `fund(ids)` from the keeper; throws `SimulationError` on revert. */
  simulateFund(ids: readonly string[]): Promise<void>;
  /** Sends `fund(ids)` and waits; resolves with the receipt's hash, status and gas. */
  fund(ids: readonly string[]): Promise<{ hash: string; status: number; gasUsed: bigint }>;
}

export interface SessionClock {
  sessionAt(timestamp: number): Session;
}

export interface FundingKeeperConfig {
  /** Seconds between two fundings when the session does not change. */
  intervalSec: number;
}

export type FundingOutcome =
  | { kind: "idle" }
  | { kind: "funded"; reason: "interval" | "session" | "start"; markets: string[]; hash: string }
  | { kind: "skipped"; reason: "no_markets" | "all_simulations_failed" }
  | { kind: "reverted"; hash: string };

export class FundingKeeper {
  private lastFundedAt: number | undefined;
  private lastSession: Session | undefined;
  private readonly calls;
  private readonly lastFundedGauge;
  private readonly gasGauge;
  private readonly excluded;

  constructor(
    private readonly chain: FundingChain,
    private readonly calendar: SessionClock,
    private readonly clock: Clock,
    private readonly config: FundingKeeperConfig,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.calls = metrics.counter("fund_calls_total", "fund() calls by outcome");
    this.lastFundedGauge = metrics.gauge(
      "last_funded_timestamp_seconds",
      "time of the last successful fund()",
    );
    this.gasGauge = metrics.gauge("fund_gas_used", "gas used by the last fund()");
    this.excluded = metrics.counter("markets_excluded_total", "markets left out because fund() would revert");
  }

  /** Why funding is due at `now`, or undefined when it is not. */
  dueReason(now: number): "start" | "session" | "interval" | undefined {
    if (this.lastFundedAt === undefined) return "start";
    if (this.calendar.sessionAt(now) !== this.lastSession) return "session";
    if (now - this.lastFundedAt >= this.config.intervalSec) return "interval";
    return undefined;
  }

  async tick(): Promise<FundingOutcome> {
    const now = this.clock();
    const reason = this.dueReason(now);
    if (reason === undefined) return { kind: "idle" };
    const all = await this.chain.marketIds();
    if (all.length === 0) return this.skip("no_markets", now);
    const markets = await this.fundable(all);
    if (markets.length === 0) return this.skip("all_simulations_failed", now);
    try {
      const receipt = await this.chain.fund(markets);
      this.gasGauge.set(Number(receipt.gasUsed));
      if (receipt.status !== 1) {
        this.calls.inc({ outcome: "reverted" });
        this.logger.error("fund reverted", { hash: receipt.hash, markets });
        return { kind: "reverted", hash: receipt.hash };
      }
      this.lastFundedAt = now;
      this.lastSession = this.calendar.sessionAt(now);
      this.lastFundedGauge.set(now);
      this.calls.inc({ outcome: "funded" });
      this.logger.info("funded", { reason, markets, hash: receipt.hash, gasUsed: receipt.gasUsed });
      return { kind: "funded", reason, markets, hash: receipt.hash };
    } catch (err) {
      this.calls.inc({ outcome: failureKind(err) });
      throw err;
    }
  }

  /** All markets when the batch simulates; otherwise those that simulate alone. */
  private async fundable(all: readonly string[]): Promise<string[]> {
    try {
      await this.chain.simulateFund(all);
      return [...all];
    } catch (err) {
      this.logger.warn("fund batch simulation failed; simulating each market", { err });
    }
    const ok: string[] = [];
    for (const id of all) {
      try {
        await this.chain.simulateFund([id]);
        ok.push(id);
      } catch (err) {
        this.excluded.inc({ market: id });
        this.logger.warn("market excluded from fund", { market: id, err });
      }
    }
    return ok;
  }

  private skip(reason: "no_markets" | "all_simulations_failed", now: number): FundingOutcome {
    this.calls.inc({ outcome: reason });
    // Wait a full interval before retrying; a session change still triggers at once.
    this.lastFundedAt = now;
    this.lastSession = this.calendar.sessionAt(now);
    this.logger.warn("nothing funded", { reason });
    return { kind: "skipped", reason };
  }
}
