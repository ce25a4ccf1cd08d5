/**
 * Prometheus metrics in the text exposition format (version 0.0.4), hand-written: counters, gauges
 * and histograms with labels, a registry that renders them, and a `/metrics` HTTP handler.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Labels = Record<string, string>;

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Raised for an invalid metric or label name, or a duplicate registration. */
export class MetricsError extends Error {
  override readonly name = "MetricsError";
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  render(): string[];
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** `{a="1",b="2"}` with keys sorted, or "" without labels. */
function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  return "{" + keys.map((k) => `${k}="${escapeLabelValue(labels[k] ?? "")}"`).join(",") + "}";
}

/** Prometheus float formatting: integers plain, infinities as `+Inf`/`-Inf`. */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

function checkLabels(metric: string, labels: Labels): void {
  for (const key of Object.keys(labels)) {
    if (!LABEL_PATTERN.test(key) || key.startsWith("__")) {
      throw new MetricsError(`metric ${metric}: invalid label name "${key}"`);
    }
  }
}

/** Counters and gauges: one number per label set. */
abstract class ScalarMetric implements Metric {
  abstract readonly type: "counter" | "gauge";
  protected readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  get(labels: Labels = {}): number {
    return this.values.get(renderLabels(labels))?.value ?? 0;
  }

  protected update(labels: Labels, fn: (old: number) => number): void {
    checkLabels(this.name, labels);
    const key = renderLabels(labels);
    const entry = this.values.get(key);
    if (entry) entry.value = fn(entry.value);
    else this.values.set(key, { labels: { ...labels }, value: fn(0) });
  }

  render(): string[] {
    const lines: string[] = [];
    for (const [key, { value }] of this.values) lines.push(`${this.name}${key} ${formatValue(value)}`);
    return lines;
  }
}

export class Counter extends ScalarMetric {
  readonly type = "counter";

  /** Adds `amount` (≥ 0: a counter only goes up). */
  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new MetricsError(`counter ${this.name}: negative increment ${amount}`);
    this.update(labels, (old) => old + amount);
  }
}

export class Gauge extends ScalarMetric {
  readonly type = "gauge";

  set(value: number, labels: Labels = {}): void {
    this.update(labels, () => value);
  }

  inc(labels: Labels = {}, amount = 1): void {
    this.update(labels, (old) => old + amount);
  }

  dec(labels: Labels = {}, amount = 1): void {
    this.update(labels, (old) => old - amount);
  }
}

interface HistogramSeries {
  labels: Labels;
  bucketCounts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  readonly type = "histogram";
  private readonly series = new Map<string, HistogramSeries>();
  readonly buckets: readonly number[];

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
  ) {
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => i > 0 && b === sorted[i - 1])) {
      throw new MetricsError(`histogram ${name}: buckets must be non-empty and distinct`);
    }
    this.buckets = sorted;
  }

  observe(value: number, labels: Labels = {}): void {
    checkLabels(this.name, labels);
    if ("le" in labels) throw new MetricsError(`histogram ${this.name}: "le" is a reserved label`);
    const key = renderLabels(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, bucketCounts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.bucketCounts[i] = (entry.bucketCounts[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
  }

  /** Observations so far for `labels`. */
  count(labels: Labels = {}): number {
    return this.series.get(renderLabels(labels))?.count ?? 0;
  }

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels: Labels = {}): () => number {
    const start = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.observe(seconds, labels);
      return seconds;
    };
  }

  render(): string[] {
    const lines: string[] = [];
    for (const entry of this.series.values()) {
      // Buckets are cumulative by construction: each observation counts in every bucket ≥ it.
      this.buckets.forEach((bound, i) => {
        const labels = renderLabels({ ...entry.labels, le: formatValue(bound) });
        lines.push(`${this.name}_bucket${labels} ${entry.bucketCounts[i] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${renderLabels({ ...entry.labels, le: "+Inf" })} ${entry.count}`);
      lines.push(`${this.name}_sum${renderLabels(entry.labels)} ${formatValue(entry.sum)}`);
      lines.push(`${this.name}_count${renderLabels(entry.labels)} ${entry.count}`);
    }
    return lines;
  }
}

/** Latency buckets in seconds, 1 ms to 60 s. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 15, 60] as const;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  /** @param prefix prepended to every name, e.g. `sundial_matcher_`. */
  constructor(private readonly prefix = "") {}

  counter(name: string, help: string): Counter {
    return this.register(new Counter(this.prefix + name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(this.prefix + name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_SECONDS): Histogram {
    return this.register(new Histogram(this.prefix + name, help, buckets));
  }

  /** The exposition text: `# HELP`, `# TYPE` and samples of every metric, newline-terminated. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`);
      lines.push(`# TYPE ${metric.name} ${metric.type}`);
      lines.push(...metric.render());
    }
    return lines.join("\n") + "\n";
  }

  /** Serves `render()` (for a keeper's HTTP server). */
  handle(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE });
    res.end(this.render());
  }

  private register<M extends Metric>(metric: M): M {
    if (!NAME_PATTERN.test(metric.name)) throw new MetricsError(`invalid metric name "${metric.name}"`);
    if (this.metrics.has(metric.name)) throw new MetricsError(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
