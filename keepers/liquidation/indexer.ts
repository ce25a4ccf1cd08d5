/**
 * Learns the accounts the liquidation keeper must watch from on-chain events, in bounded block
 * ranges, from a configured start block up to `head − confirmations`, and persists the checkpoint
 * with each range's accounts in one SQLite transaction (`LiquidationStore.commitRange`).
 *
 * - **Restart**: indexing resumes at checkpoint + 1; a range interrupted by a crash was never
 *   committed and is indexed again (inserting a known account is a no-op), so no block is missed
 *   and no account is counted twice.
 * - **Reorgs**: blocks younger than `confirmations` are not indexed. Before each sync the stored
 *   checkpoint's hash is compared with the chain's block hash at that height; if they differ (a
 *   reorg deeper than the lag), the checkpoint moves back `reorgRewindBlocks` and those blocks are
 *   indexed again. Accounts are never removed: an extra account only costs one health read.
 * - **Provider limits**: when `eth_getLogs` refuses a range (too many results / range too large),
 *   the range is halved and retried, down to a single block.
 */
import type { Logger } from "../lib/logger.js";
import type { Checkpoint, LiquidationStore } from "./store.js";

/** An account mentioned by an event in block `block`. */
export interface AccountSighting {
  account: string;
  block: number;
}

/** What the indexer reads from the chain (an ethers implementation lives in `chain.ts`). */
export interface EventSource {
  /** The latest block number. */
  blockNumber(): Promise<number>;
  /** The hash of block `n`, or null when the node has no such block. */
  blockHash(n: number): Promise<string | null>;
  /** Every account in the watched events of blocks `from..to` (inclusive). */
  accountsIn(from: number, to: number): Promise<AccountSighting[]>;
}

export interface IndexerConfig {
  /** First block to index when the database is empty (the deployment block). */
  startBlock: number;
  /** Blocks younger than this are not indexed yet (reorg safety). */
  confirmations: number;
  /** Largest `eth_getLogs` range. */
  maxRange: number;
  /** How far the checkpoint moves back when its block hash no longer matches the chain. */
  reorgRewindBlocks: number;
}

export interface SyncResult {
  from: number;
  to: number;
  ranges: number;
  added: number;
  reorg: boolean;
}

/** `eth_getLogs` refused the range because of its size (provider-specific messages). */
export function isRangeTooLarge(err: unknown): boolean {
  const message = err instanceof Error ? err.message.toLowerCase() : String(err).toLowerCase();
  return [
    "query returned more than",
    "block range",
    "range too large",
    "too many results",
    "exceed maximum block range",
    "limit exceeded",
    "response size exceeded",
  ].some((needle) => message.includes(needle));
}

export class AccountIndexer {
  constructor(
    private readonly source: EventSource,
    private readonly store: LiquidationStore,
    private readonly config: IndexerConfig,
    private readonly logger: Logger,
  ) {
    if (config.maxRange < 1) throw new Error(`maxRange must be ≥ 1, got ${config.maxRange}`);
  }

  /** Indexes every confirmed block after the checkpoint. */
  async sync(): Promise<SyncResult> {
    const reorg = await this.checkReorg();
    const head = await this.source.blockNumber();
    const safe = head - this.config.confirmations;
    const from = (this.store.checkpoint()?.block ?? this.config.startBlock - 1) + 1;
    let next = from;
    let ranges = 0;
    let added = 0;
    let range = this.config.maxRange;
    while (next <= safe) {
      const to = Math.min(next + range - 1, safe);
      let sightings: AccountSighting[];
      try {
        sightings = await this.source.accountsIn(next, to);
      } catch (err) {
        if (!isRangeTooLarge(err) || to === next) throw err;
        range = Math.max(1, Math.floor((to - next + 1) / 2));
        this.logger.warn("log range refused; halving", { from: next, to, range, err });
        continue;
      }
      const hash = await this.source.blockHash(to);
      if (hash === null) throw new Error(`node has no block ${to} (head ${head})`);
      added += this.store.commitRange({ block: to, hash }, firstSightings(sightings));
      ranges++;
      next = to + 1;
    }
    if (added > 0)
      this.logger.info("accounts learned", { added, known: this.store.accountCount(), to: next - 1 });
    return { from, to: next - 1, ranges, added, reorg };
  }

  /** Rewinds the checkpoint when its block is no longer on the canonical chain. */
  private async checkReorg(): Promise<boolean> {
    const checkpoint = this.store.checkpoint();
    if (checkpoint === undefined) return false;
    const hash = await this.source.blockHash(checkpoint.block);
    if (hash === checkpoint.hash) return false;
    const target = checkpoint.block - this.config.reorgRewindBlocks;
    let rewound: Checkpoint | undefined;
    if (target >= this.config.startBlock) {
      const targetHash = await this.source.blockHash(target);
      if (targetHash === null) throw new Error(`node has no block ${target}`);
      rewound = { block: target, hash: targetHash };
    }
    this.store.rewind(rewound);
    this.logger.warn("checkpoint block replaced by a reorg; re-indexing", {
      checkpoint: checkpoint.block,
      storedHash: checkpoint.hash,
      chainHash: hash,
      rewoundTo: rewound?.block ?? this.config.startBlock - 1,
    });
    return true;
  }
}

/** The first block each account appears in. */
function firstSightings(sightings: readonly AccountSighting[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const { account, block } of sightings) {
    const key = account.toLowerCase();
    const seen = first.get(key);
    if (seen === undefined || block < seen) first.set(key, block);
  }
  return first;
}
