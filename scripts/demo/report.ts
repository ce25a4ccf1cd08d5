/**
 * The demo's final report (plain text) and its chart, from a `DemoResult`.
 */
import { type ChartPanel, type ChartPoint, renderPanels } from "./chart.js";
import { fromX18 } from "./prices.js";
import { nyLabel, type DemoResult } from "./simulation.js";
import { DIVIDEND, GAP, NEWS, SPLIT } from "./timeline.js";

const usd = (x18: bigint): string =>
  fromX18(x18).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pad = (s: string, n: number): string => s.padStart(n);
/** New York time to the second (events within a step are seconds apart). */
const clockLabel = (ts: number): string => `${nyLabel(ts)}:${String(ts % 60).padStart(2, "0")}`;

export function formatReport(result: DemoResult, wallSeconds: number): string[] {
  const { ledger, liquidations } = result;
  const s = liquidations.stats;
  const names = new Map(result.traders.map((t) => [t.account.toLowerCase(), t]));
  const nameOf = (account: string): string => {
    const trader = names.get(account.toLowerCase());
    return trader === undefined
      ? account.slice(0, 10)
      : `${trader.name}${trader.leverage > 0 ? ` (${trader.leverage}×)` : ""}`;
  };
  const lines: string[] = [];
  const hours = (result.simulatedSeconds / 3_600).toFixed(0);
  lines.push("", "Report");
  lines.push(
    `  ${result.steps} steps over ${hours} simulated hours, ${result.traders.length} traders, ` +
      `${result.ordersAccepted} orders accepted by the matcher, ${wallSeconds.toFixed(0)} s wall time`,
  );

  lines.push("", "  Trading (per market)");
  lines.push(
    `    ${"market".padEnd(6)} ${pad("trades", 7)} ${pad("volume USD", 16)} ${pad("fees USD", 12)} ${pad("funding USD", 12)}`,
  );
  let trades = 0;
  let volume = 0n;
  let fees = 0n;
  for (const m of ledger.markets.values()) {
    trades += m.trades;
    volume += m.volumeX18;
    fees += m.feesX18;
    lines.push(
      `    ${m.symbol.padEnd(6)} ${pad(String(m.trades), 7)} ${pad(usd(m.volumeX18), 16)} ${pad(usd(m.feesX18), 12)} ${pad(usd(m.fundingX18 - m.dividendsX18), 12)}`,
    );
  }
  lines.push(
    `    ${"total".padEnd(6)} ${pad(String(trades), 7)} ${pad(usd(volume), 16)} ${pad(usd(fees), 12)}`,
  );
  lines.push(
    "    funding USD: paid by longs to shorts (negative: shorts paid longs); each side's total equals the other's",
  );
  const skipped = [...ledger.skipped].map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  const rejected = [...ledger.rejected].map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  lines.push(`    matches skipped on chain: ${skipped}`);
  lines.push(`    orders refused by the matcher: ${rejected}`);
  lines.push(`    fund() updates: ${ledger.events.fundingUpdates}`);

  lines.push("", "  Events");
  for (const gap of ledger.events.reopenGaps) {
    lines.push(
      `    ReopenGap ${gap.symbol}: ${usd(gap.fromX18)} → ${usd(gap.toX18)} (beyond the weekend band)`,
    );
  }
  for (const b of ledger.events.breakers) {
    lines.push(
      `    circuit breaker ${b.symbol} level ${b.level} at ${clockLabel(b.time)}: index ${usd(b.referenceX18)} → ${usd(b.indexX18)}`,
    );
  }
  lines.push(
    `    ${SPLIT.symbol} ${SPLIT.numerator}:${SPLIT.denominator} split at ${nyLabel(SPLIT.effectiveTime)} New York (timelock → scheduleSplit → applied by the oracle keeper's poke)`,
  );
  const dividend = [...ledger.markets.values()].find((m) => m.symbol === DIVIDEND.symbol);
  lines.push(
    `    ${DIVIDEND.symbol} dividend ${DIVIDEND.amountUsd} USD ex ${nyLabel(DIVIDEND.exTime)} New York: ${usd(dividend?.dividendsX18 ?? 0n)} USD from shorts to longs`,
  );
  lines.push(
    `    ${NEWS.symbol} news ${nyLabel(NEWS.time)}; ${GAP.symbol} reopens ${Math.round(GAP.move * 100)} % at ${nyLabel(GAP.time)}`,
  );

  lines.push("", "  Liquidations");
  lines.push(
    `    ${s.count} liquidation calls on ${s.accounts.size} accounts, ${usd(s.notionalX18)} USD notional closed into the backstop`,
  );
  lines.push(
    `    penalties ${usd(s.penaltiesX18)} USD, keeper rewards ${usd(s.keeperRewardsX18)} USD, backstop share ${usd(s.penaltiesX18 - s.keeperRewardsX18)} USD`,
  );
  if (s.transactions > 0) {
    lines.push(
      `    keeper transactions: ${s.transactions} (${s.batches} liquidateBatch), ${s.gasUsed} gas, ` +
        `${s.gasUsed / BigInt(Math.max(1, s.count))} per liquidation`,
    );
  }
  for (const r of s.records) {
    lines.push(
      `      ${clockLabel(r.time)}  ${r.symbol} ${nameOf(r.account)}: closed ${fromX18(r.closedSizeX18).toFixed(3)} @ ${usd(r.priceX18)}, equity before ${usd(r.equityBeforeX18)}, penalty ${usd(r.penaltyX18)}`,
    );
  }
  lines.push(
    `    bad debt ${usd(s.badDebtX18)} USD: covered by the insurance fund ${usd(s.insuranceCoveredX18)} ` +
      `(paid ${usd(s.insurancePaidX18)} in whole token units), uncovered ${usd(s.uncoveredX18)}`,
  );
  lines.push(
    `    ADL steps: ${s.adlSteps}${s.adlSteps > 0 ? ` (${usd(s.adlNotionalX18)} USD notional)` : ""}`,
  );
  if (s.refused > 0) {
    lines.push(
      `    keeper ticks that found liquidatable accounts it could not liquidate yet (halted or reduce-only market): ${s.refused}`,
    );
  }
  lines.push(
    `    insurance fund: ${usd(result.insuranceBeforeX18)} USD before, ${usd(result.insuranceAfterX18)} USD after`,
  );

  lines.push("", "  Invariant checks (from chain state)");
  for (const check of result.checks) {
    lines.push(`    ${check.pass ? "PASS" : "FAIL"} ${check.id.padEnd(6)} ${check.name}`);
    lines.push(`           ${check.detail}`);
  }
  return lines;
}

/** NVDA's prices before the split, divided by the split ratio, so its panel reads per new share. */
function splitAdjusted(points: readonly ChartPoint[]): ChartPoint[] {
  const ratio = SPLIT.numerator / SPLIT.denominator;
  return points.map((p) =>
    p.time < SPLIT.effectiveTime
      ? {
          ...p,
          index: p.index / ratio,
          mark: p.mark / ratio,
          bandLow: p.bandLow / ratio,
          bandHigh: p.bandHigh / ratio,
        }
      : p,
  );
}

export function renderDemoChart(result: DemoResult): string {
  const points = (symbol: string) => result.chart.get(symbol) ?? [];
  const panels: ChartPanel[] = [
    {
      title: `${NEWS.symbol}-USD: weekend news traded on the venue inside the band`,
      points: points(NEWS.symbol),
      markers: [{ time: NEWS.time, text: "news" }],
    },
    {
      title: `${GAP.symbol}-USD: the Monday gap (${Math.round(GAP.move * 100)} %), levered longs liquidated`,
      points: points(GAP.symbol),
      markers: [{ time: GAP.time, text: "reopen gap" }],
    },
    {
      title: `${SPLIT.symbol}-USD: ${SPLIT.numerator}:${SPLIT.denominator} split (per new share; earlier prices ÷ ${SPLIT.numerator})`,
      points: splitAdjusted(points(SPLIT.symbol)),
      markers: [{ time: SPLIT.effectiveTime, text: "split" }],
    },
    {
      title: `${DIVIDEND.symbol}-USD: ${DIVIDEND.amountUsd} USD dividend`,
      points: points(DIVIDEND.symbol),
      markers: [{ time: DIVIDEND.exTime, text: "ex-dividend" }],
    },
  ].filter((p) => p.points.length > 0);
  return renderPanels(
    "Sundial demo week, December 2026: index, mark and band (New York time)",
    panels,
    nyLabel,
  );
}
