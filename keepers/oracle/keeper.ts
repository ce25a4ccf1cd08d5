/**
 * The oracle keeper's logic (SPEC section 9): every tick it reads the prices, builds each source's
 * updates (Pyth, Data Streams reports, signed quotes, and locally the Chainlink feed mocks), sends
 * them (each simulated first), and when the calendar's session window changed since the last tick
 * it pokes `OracleAdapter.poke(market)` for every market — after the pushes, so that a reopen snaps
 * to a price observed after the open. A failing update (a build that throws, one failed item of a
 * build, a simulation that reverts) is logged and counted; the others still go.
 */
import type { DataStreamKind, SourceKind } from "../../deploy/config.js";
import type { Session, SessionWindow } from "../../sdk/calendar.js";
import type { Logger } from "../lib/logger.js";
import type { MetricsRegistry } from "../lib/metrics.js";
import type { Submitter, TxRequest } from "../lib/submitter.js";
import { failureKind } from "../common.js";
import type { PriceInput } from "./prices.js";
import { PartialUpdateError, pokeRequests, type MarketPrice, type UpdateBuilder } from "./updates.js";

/** A market as the deployment record describes it (`DeployedMarket`). */
export interface OracleMarket {
  symbol: string;
  marketId: string;
  pythPriceId?: string;
  dataStreamsFeedIds?: Partial<Record<DataStreamKind, string>>;
  chainlinkFeed?: string;
  /** Source kinds per session name: the keeper pushes a pull source only in sessions that read it. */
  sessions: Readonly<Record<string, readonly SourceKind[]>>;
}

export interface SessionCalendar {
  sessionAt(timestamp: number): Session;
  sessionWindow(timestamp: number): SessionWindow;
}

export interface OracleTickResult {
  session: Session;
  sent: number;
  failed: number;
  poked: boolean;
}

export class OracleKeeper {
  private lastWindowStart: number | undefined;
  private readonly sent;
  private readonly pokes;
  private readonly sessionGauge;
  private readonly lastPriceGauge;

  constructor(
    private readonly markets: readonly OracleMarket[],
    private readonly adapter: string,
    private readonly input: PriceInput,
    private readonly builders: readonly UpdateBuilder[],
    private readonly submitter: Submitter,
    private readonly calendar: SessionCalendar,
    private readonly now: () => Promise<number>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.sent = metrics.counter("updates_total", "price updates by source and outcome");
    this.pokes = metrics.counter("pokes_total", "OracleAdapter.poke calls by market and outcome");
    this.sessionGauge = metrics.gauge("session", "calendar session (0 CLOSED … 4 OVERNIGHT)");
    this.lastPriceGauge = metrics.gauge("input_price_usd", "last input price per market");
  }

  /** Whether the session window at `now` differs from the last tick's (always true at start). */
  isTransition(now: number): boolean {
    return this.calendar.sessionWindow(now).start !== this.lastWindowStart;
  }

  async tick(): Promise<OracleTickResult> {
    const now = await this.now();
    const session = this.calendar.sessionAt(now);
    this.sessionGauge.set(session);
    const inputs = await this.input.prices(
      this.markets.map((m) => m.symbol),
      now,
    );
    const prices: MarketPrice[] = this.markets.map((m) => {
      const priceX18 = inputs.get(m.symbol);
      if (priceX18 === undefined) throw new Error(`no input price for ${m.symbol}`);
      this.lastPriceGauge.set(Number(priceX18 / 10n ** 12n) / 1e6, { market: m.symbol });
      return { ...m, priceX18 };
    });
    let sent = 0;
    let failed = 0;
    for (const builder of this.builders) {
      let requests: readonly TxRequest[];
      try {
        requests = await builder.build(prices, now, session);
      } catch (err) {
        if (!(err instanceof PartialUpdateError)) {
          this.sent.inc({ source: builder.source, outcome: "build_failed" });
          this.logger.error("update build failed", { source: builder.source, err });
          failed++;
          continue;
        }
        for (const failure of err.failures) {
          this.sent.inc({ source: builder.source, outcome: "build_failed" });
          this.logger.error("update build failed", {
            source: builder.source,
            item: failure.item,
            err: failure.error,
          });
          failed++;
        }
        requests = err.requests;
      }
      for (const request of requests) {
        if (await this.send(request, { source: builder.source }, this.sent)) sent++;
        else failed++;
      }
    }
    const poked = this.isTransition(now);
    if (poked) {
      this.logger.info("session transition: poking every market", { session, now });
      const requests = pokeRequests(
        this.adapter,
        this.markets.map((m) => m.marketId),
      );
      let pokeFailures = 0;
      for (const [i, request] of requests.entries()) {
        if (!(await this.send(request, { market: this.markets[i]!.symbol }, this.pokes))) pokeFailures++;
      }
      failed += pokeFailures;
      // A failed poke is retried on the next tick (the window stays "unseen").
      if (pokeFailures === 0) this.lastWindowStart = this.calendar.sessionWindow(now).start;
    }
    return { session, sent, failed, poked };
  }

  private async send(
    request: TxRequest,
    labels: Record<string, string>,
    counter: { inc(labels: Record<string, string>): void },
  ): Promise<boolean> {
    try {
      const receipt = await this.submitter.submit(request);
      const outcome = receipt.status === 1 ? "sent" : "reverted";
      counter.inc({ ...labels, outcome });
      this.logger.debug("transaction", { ...labels, outcome, hash: receipt.hash });
      return receipt.status === 1;
    } catch (err) {
      counter.inc({ ...labels, outcome: failureKind(err) });
      this.logger.warn("transaction not sent", { ...labels, err });
      return false;
    }
  }
}
