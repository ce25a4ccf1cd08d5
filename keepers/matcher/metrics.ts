/** The matcher's Prometheus metrics (names are listed in docs/matcher.md). */
import { type Counter, type Gauge, type Histogram, MetricsRegistry } from "../lib/metrics.js";

export interface MatcherMetrics {
  registry: MetricsRegistry;
  ordersAccepted: Counter;
  ordersRejected: Counter;
  ordersClosed: Counter;
  fills: Counter;
  openOrders: Gauge;
  queuedFills: Gauge;
  batches: Counter;
  matchesSettled: Counter;
  matchesSkipped: Counter;
  batchGasPerMatch: Gauge;
  batchDuration: Histogram;
  validationDuration: Histogram;
  httpRequests: Counter;
  httpDuration: Histogram;
}

export function createMatcherMetrics(registry = new MetricsRegistry("sundial_matcher_")): MatcherMetrics {
  return {
    registry,
    ordersAccepted: registry.counter("orders_accepted_total", "Orders accepted into the book, by market."),
    ordersRejected: registry.counter("orders_rejected_total", "Order submissions rejected, by error code."),
    ordersClosed: registry.counter(
      "orders_closed_total",
      "Orders that left the book for good, by final status (filled, cancelled, expired, rejected).",
    ),
    fills: registry.counter("fills_total", "Fills produced by the book, by market."),
    openOrders: registry.gauge("open_orders", "Orders resting in the book, by market."),
    queuedFills: registry.gauge("queued_fills", "Fills waiting for a settlement batch."),
    batches: registry.counter(
      "batches_total",
      "Settlement batches by outcome (confirmed, reverted, failed).",
    ),
    matchesSettled: registry.counter("matches_settled_total", "Matches the clearinghouse settled."),
    matchesSkipped: registry.counter(
      "matches_skipped_total",
      "Matches the clearinghouse skipped, by reason.",
    ),
    batchGasPerMatch: registry.gauge(
      "batch_gas_per_match",
      "Gas used per match in the last confirmed batch.",
    ),
    batchDuration: registry.histogram(
      "batch_duration_seconds",
      "Time from building a batch to applying its receipt.",
    ),
    validationDuration: registry.histogram(
      "order_validation_seconds",
      "Time to validate an order (parsing, chain reads, signature).",
    ),
    httpRequests: registry.counter("http_requests_total", "HTTP requests by route and status."),
    httpDuration: registry.histogram("http_request_duration_seconds", "HTTP request latency by route."),
  };
}
