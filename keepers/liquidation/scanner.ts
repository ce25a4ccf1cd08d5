/**
 * Scans the health of every known account in batches: one view call per batch of `batchSize`
 * accounts, at most `concurrency` batches in flight, each retried on transport errors. The result
 * is the list of accounts the keeper must act on (liquidatable, or with bad debt to settle).
 */
import type { Logger } from "../lib/logger.js";
import { isRetryableRpcError, withRetries, type RetryOptions } from "../lib/submitter.js";

/** The keeper-relevant part of an account's health. */
export interface AccountRisk {
  account: string;
  /** Equity below maintenance margin with at least one open position. */
  liquidatable: boolean;
  /** No open position and a negative balance: `settleBadDebt` moves it to the insurance fund. */
  badDebt: boolean;
}

/** Reads the risk of a batch of accounts (one RPC call; an ethers implementation is in `chain.ts`). */
export interface HealthSource {
  risks(accounts: readonly string[]): Promise<AccountRisk[]>;
}

export interface ScanConfig {
  batchSize: number;
  concurrency: number;
  retry: RetryOptions;
}

export interface ScanResult {
  scanned: number;
  batches: number;
  liquidatable: string[];
  badDebt: string[];
  durationMs: number;
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new Error(`chunk size must be ≥ 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class HealthScanner {
  constructor(
    private readonly source: HealthSource,
    private readonly config: ScanConfig,
    private readonly logger: Logger,
    private readonly onRpcError: () => void = () => undefined,
    private readonly onUnreadable: () => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async scan(accounts: readonly string[]): Promise<ScanResult> {
    const started = this.now();
    const batches = chunk(accounts, this.config.batchSize);
    const results: AccountRisk[][] = new Array<AccountRisk[]>(batches.length);
    let nextBatch = 0;
    const worker = async (): Promise<void> => {
      while (nextBatch < batches.length) {
        const index = nextBatch++;
        const batch = batches[index]!;
        results[index] = await this.read(batch);
      }
    };
    const workers = Math.min(this.config.concurrency, batches.length);
    await Promise.all(Array.from({ length: workers }, () => worker()));
    const risks = results.flat();
    return {
      scanned: risks.length,
      batches: batches.length,
      liquidatable: risks.filter((r) => r.liquidatable).map((r) => r.account),
      badDebt: risks.filter((r) => r.badDebt).map((r) => r.account),
      durationMs: this.now() - started,
    };
  }

  /**
   * One batch: transport errors are retried; any other failure (typically the node's `eth_call` gas
   * cap: "out of gas") splits the batch in halves, so a batch size too large for a node costs a few
   * extra calls instead of every scan. An account whose health alone cannot be read is reported as
   * unreadable (not liquidatable) so that it never blocks the others.
   */
  private async read(batch: readonly string[]): Promise<AccountRisk[]> {
    let risks: AccountRisk[];
    try {
      risks = await withRetries(
        "health batch",
        async () => {
          try {
            return await this.source.risks(batch);
          } catch (err) {
            this.onRpcError();
            throw err;
          }
        },
        this.logger,
        this.config.retry,
      );
    } catch (err) {
      if (isRetryableRpcError(err)) throw err;
      if (batch.length === 1) {
        this.logger.error("health of an account cannot be read; skipped this scan", {
          account: batch[0],
          err,
        });
        this.onUnreadable();
        return [{ account: batch[0]!, liquidatable: false, badDebt: false }];
      }
      const half = Math.ceil(batch.length / 2);
      this.logger.warn("health batch failed; splitting it", { size: batch.length, err });
      return [...(await this.read(batch.slice(0, half))), ...(await this.read(batch.slice(half)))];
    }
    if (risks.length !== batch.length) {
      throw new Error(`health batch returned ${risks.length} results for ${batch.length} accounts`);
    }
    return risks;
  }
}
