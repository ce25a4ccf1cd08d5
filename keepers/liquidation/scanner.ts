/**
 * Scans the health of every known account in batches: one view call per batch of `batchSize`
 * accounts, at most `concurrency` batches in flight, each retried on transport errors. The result
 * is the list of accounts the keeper must act on (liquidatable, or with bad debt to settle).
 */
import type { Logger } from "../lib/logger.js";
import { withRetries, type RetryOptions } from "../lib/submitter.js";

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

  private async read(batch: readonly string[]): Promise<AccountRisk[]> {
    const risks = await withRetries(
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
    if (risks.length !== batch.length) {
      throw new Error(`health batch returned ${risks.length} results for ${batch.length} accounts`);
    }
    return risks;
  }
}
