/**
 * Pieces the funding and oracle keepers share: the deployment record they start from, the keeper
 * loop (tick on an interval, never overlapping, stop on shutdown) and the metrics HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { Logger } from "./lib/logger.js";
import type { MetricsRegistry } from "./lib/metrics.js";
import { ShutdownCoordinator } from "./lib/shutdown.js";
import { SimulationError } from "./lib/submitter.js";

/** A clock in UTC seconds (tests pin it). */
export type Clock = () => number;
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/**
 * Runs `tick` every `intervalMs` until `stop()`: ticks never overlap (the next waits for the
 * previous), an exception is logged and counted but never ends the loop (RPC errors are transient).
 */
export class KeeperLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops scheduling and waits for the tick in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    try {
      await this.tick();
    } catch (err) {
      this.logger.error("keeper tick failed", { err });
      this.onError(err);
    }
  }
}

/** Serves `/metrics` (Prometheus) and `/health` on `host:port`; resolves once listening. */
export async function startMetricsServer(
  registry: MetricsRegistry,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") return registry.handle(req, res);
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A short description of a failed simulation or submission for logs and metric labels. */
export function failureKind(err: unknown): "simulation_failed" | "failed" {
  return err instanceof SimulationError ? "simulation_failed" : "failed";
}

/**
 * Runs a tick-loop keeper until SIGINT/SIGTERM: the loop, a `/metrics` server and a graceful
 * shutdown that stops the loop, closes the metrics server and the RPC provider, in that order.
 */
export async function runTickKeeper(options: {
  tick: () => Promise<unknown>;
  intervalMs: number;
  logger: Logger;
  metrics: MetricsRegistry;
  metricsHost: string;
  metricsPort: number;
  provider: { destroy(): void };
  errorHelp: string;
}): Promise<void> {
  const errors = options.metrics.counter("tick_errors_total", options.errorHelp);
  const loop = new KeeperLoop(
    () => options.tick().then(() => undefined),
    options.intervalMs,
    options.logger,
    () => errors.inc(),
  );
  // Signal handlers first, before the first await: the caller has just logged that the keeper is
  // starting, and a SIGTERM from then on must shut down gracefully, not kill the process.
  const shutdown = new ShutdownCoordinator(options.logger);
  shutdown.register("rpc provider", () => options.provider.destroy());
  shutdown.installSignalHandlers();
  const server = await startMetricsServer(options.metrics, options.metricsHost, options.metricsPort);
  if (shutdown.isShuttingDown) {
    // Stopped while the metrics server was starting: its step was not registered yet.
    await closeServer(server);
    return;
  }
  shutdown.register("metrics server", () => closeServer(server));
  shutdown.register("keeper loop", () => loop.stop());
  loop.start();
}
