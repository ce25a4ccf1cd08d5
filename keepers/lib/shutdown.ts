/**
 * Graceful shutdown: on SIGINT/SIGTERM (or a call to `shutdown`) run the registered steps in reverse
 * registration order — e.g. stop accepting HTTP, finish the in-flight batch, close the database —
 * each bounded by a timeout, exactly once. A second signal during shutdown forces exit.
 */
import type { Logger } from "./logger.js";

export type ShutdownStep = { name: string; run: () => Promise<void> | void };

export class ShutdownCoordinator {
  private readonly steps: ShutdownStep[] = [];
  private running: Promise<void> | undefined;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor(
    private readonly logger: Logger,
    private readonly stepTimeoutMs = 30_000,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** Registers a step; steps run last-registered first (like `defer`). */
  register(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  get isShuttingDown(): boolean {
    return this.running !== undefined;
  }

  /** Installs SIGINT/SIGTERM handlers that call `shutdown` then exit(0) (exit(1) on a second signal). */
  installSignalHandlers(signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): void {
    for (const signal of signals) {
      const handler = (): void => {
        if (this.running) {
          this.logger.warn("second signal during shutdown; exiting now", { signal });
          this.exit(1);
          return;
        }
        this.logger.info("shutdown requested", { signal });
        this.shutdown().then(
          () => this.exit(0),
          () => this.exit(1),
        );
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** Removes the signal handlers (tests). */
  removeSignalHandlers(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }

  /** Runs every step once; later calls return the same promise. Errors are logged, not rethrown. */
  shutdown(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.stepTimeoutMs);
      });
      try {
        const outcome = await Promise.race([
          Promise.resolve(step.run()).then(() => "done" as const),
          timeout,
        ]);
        if (outcome === "timeout") this.logger.error("shutdown step timed out", { step: step.name });
        else this.logger.info("shutdown step done", { step: step.name });
      } catch (err) {
        this.logger.error("shutdown step failed", { step: step.name, err });
      } finally {
        clearTimeout(timer);
      }
    }
    this.removeSignalHandlers();
  }
}
