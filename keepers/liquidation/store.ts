/**
 * Restart-safe state of the liquidation keeper in SQLite (Node 22's built-in `node:sqlite`, WAL):
 *
 * - the **checkpoint**: the last block whose events are fully indexed, with its hash (a later sync
 *   compares it with the chain's to detect a reorg deeper than the confirmation lag);
 * - the **known accounts**: every account seen in a clearinghouse or liquidation event, with the
 *   block it was first seen in. A range's accounts and the new checkpoint are written in ONE
 *   transaction, so after a crash the database holds either the state before the range or after it:
 *   nothing is skipped, and re-indexing a range is harmless (`INSERT OR IGNORE`);
 * - the **keeper transactions** (liquidations, batches of liquidations, auto-deleveraging, bad-debt
 *   settlements): `signing` (row written before
 *   signing) → `sent` (hash, nonce and raw signed transaction stored BEFORE broadcast) → `confirmed` |
 *   `reverted` | `failed`. Every transaction signed for an action is an **attempt** (the first, its
 *   fee-bumped replacements with the same nonce, one with a new nonce after a nonce conflict), each
 *   stored before its broadcast; when one is mined the row takes its hash and the attempt is marked
 *   `mined`, the others `dropped`. A restart reconciles `signing`/`sent` rows against the chain
 *   before doing anything else, so a transaction in flight at a crash is neither lost nor sent twice.
 * - the **members** of a `liquidateBatch` row: each entry (index, account, market, size), written
 *   with the row before signing, and after a successful receipt its outcome (`liquidated`, or
 *   `skipped` with the engine's revert data from `LiquidationSkipped`; a reverted batch leaves them
 *   unset). While the row is unfinished every member's account counts as in flight.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";

export type KeeperTxKind = "liquidate" | "liquidateBatch" | "adl" | "settleBadDebt";
export type MemberOutcome = "liquidated" | "skipped";
export type KeeperTxStatus = "signing" | "sent" | "confirmed" | "reverted" | "failed";
export type AttemptStatus = "sent" | "mined" | "dropped";

/** One signed transaction of a keeper transaction row. */
export interface StoredAttempt {
  txId: number;
  hash: string;
  nonce: number;
  raw: string;
  /** When it was signed (ms since the epoch). */
  signedAt: number;
  status: AttemptStatus;
}

export interface StoredKeeperTx {
  id: number;
  kind: KeeperTxKind;
  account: string;
  marketId: string | null;
  sizeX18: bigint | null;
  status: KeeperTxStatus;
  txHash: string | null;
  txNonce: number | null;
  rawTx: string | null;
  gasUsed: bigint | null;
  createdAt: number;
  updatedAt: number;
}

/** One entry of a `liquidateBatch` row (`index` is its position in the call's request array). */
export interface BatchMember {
  index: number;
  account: string;
  marketId: string;
  sizeX18: bigint;
  /** Null until a successful receipt is read (a reverted batch leaves it null: none of it happened). */
  outcome: MemberOutcome | null;
  /** The engine's revert data for a skipped entry. */
  reason: string | null;
}

export interface Checkpoint {
  block: number;
  hash: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  account TEXT PRIMARY KEY,
  first_block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS keeper_txs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  account TEXT NOT NULL,
  market_id TEXT,
  size_x18 TEXT,
  status TEXT NOT NULL,
  tx_hash TEXT,
  tx_nonce INTEGER,
  raw_tx TEXT,
  gas_used TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS keeper_txs_status ON keeper_txs (status, id);
CREATE TABLE IF NOT EXISTS keeper_tx_attempts (
  hash TEXT PRIMARY KEY,
  tx_id INTEGER NOT NULL REFERENCES keeper_txs (id),
  nonce INTEGER NOT NULL,
  raw_tx TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS keeper_tx_attempts_tx ON keeper_tx_attempts (tx_id, signed_at);
CREATE TABLE IF NOT EXISTS keeper_tx_members (
  tx_id INTEGER NOT NULL REFERENCES keeper_txs (id),
  idx INTEGER NOT NULL,
  account TEXT NOT NULL,
  market_id TEXT NOT NULL,
  size_x18 TEXT NOT NULL,
  outcome TEXT,
  reason TEXT,
  PRIMARY KEY (tx_id, idx)
);
-- Databases written before attempts existed: a signed row's transaction is its first attempt.
INSERT OR IGNORE INTO keeper_tx_attempts (hash, tx_id, nonce, raw_tx, signed_at, status)
  SELECT tx_hash, id, tx_nonce, raw_tx, updated_at,
         CASE status WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'dropped' ELSE 'mined' END
  FROM keeper_txs
  WHERE tx_hash IS NOT NULL AND raw_tx IS NOT NULL AND tx_nonce IS NOT NULL;
`;

type Row = Record<string, unknown>;

function toAttempt(row: Row): StoredAttempt {
  return {
    txId: Number(row.tx_id),
    hash: String(row.hash),
    nonce: Number(row.nonce),
    raw: String(row.raw_tx),
    signedAt: Number(row.signed_at),
    status: String(row.status) as AttemptStatus,
  };
}

function toMember(row: Row): BatchMember {
  return {
    index: Number(row.idx),
    account: String(row.account),
    marketId: String(row.market_id),
    sizeX18: BigInt(String(row.size_x18)),
    outcome: row.outcome === null ? null : (String(row.outcome) as MemberOutcome),
    reason: row.reason === null ? null : String(row.reason),
  };
}

function toTx(row: Row): StoredKeeperTx {
  return {
    id: Number(row.id),
    kind: String(row.kind) as KeeperTxKind,
    account: String(row.account),
    marketId: row.market_id === null ? null : String(row.market_id),
    sizeX18: row.size_x18 === null ? null : BigInt(String(row.size_x18)),
    status: String(row.status) as KeeperTxStatus,
    txHash: row.tx_hash === null ? null : String(row.tx_hash),
    txNonce: row.tx_nonce === null ? null : Number(row.tx_nonce),
    rawTx: row.raw_tx === null ? null : String(row.raw_tx),
    gasUsed: row.gas_used === null ? null : BigInt(String(row.gas_used)),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export class LiquidationStore {
  private readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();
  private closed = false;

  /** Opens (creating if needed) the database at `path` (":memory:" in tests). */
  constructor(
    readonly path: string,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.db = new DatabaseSync(path);
    if (path !== ":memory:") this.db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed checkpoint or signed transaction survives a power loss.
    this.db.exec("PRAGMA synchronous = FULL;");
    this.db.exec(SCHEMA);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction (rolled back if it throws). */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  // ------------------------------------------------------------------ checkpoint and accounts

  private meta(key: string): string | undefined {
    const row = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined;
    return row === undefined ? undefined : String(row.value);
  }

  private setMeta(key: string, value: string): void {
    this.stmt(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  /** The last fully indexed block, or undefined before the first range. */
  checkpoint(): Checkpoint | undefined {
    const block = this.meta("last_block");
    const hash = this.meta("last_block_hash");
    return block === undefined || hash === undefined ? undefined : { block: Number(block), hash };
  }

  /**
   * The deployment the database belongs to (`chainId:clearinghouse`); set once. A database of another
   * deployment is refused (its checkpoint would skip or repeat another chain's blocks).
   */
  bindDeployment(id: string): void {
    const current = this.meta("deployment");
    if (current === undefined) this.setMeta("deployment", id);
    else if (current !== id) {
      throw new Error(`database ${this.path} belongs to deployment ${current}, not ${id}`);
    }
  }

  /** Records `accounts` (first seen in their blocks) and moves the checkpoint to `to`, atomically. */
  commitRange(to: Checkpoint, accounts: ReadonlyMap<string, number>): number {
    return this.transaction(() => {
      let added = 0;
      const insert = this.stmt("INSERT OR IGNORE INTO accounts (account, first_block) VALUES (?, ?)");
      for (const [account, block] of accounts) {
        added += Number(insert.run(account.toLowerCase(), block).changes);
      }
      this.setMeta("last_block", String(to.block));
      this.setMeta("last_block_hash", to.hash);
      return added;
    });
  }

  /** Moves the checkpoint back to `to` after a reorg (known accounts stay: an account never leaves). */
  rewind(to: Checkpoint | undefined): void {
    this.transaction(() => {
      if (to === undefined) {
        this.stmt("DELETE FROM meta WHERE key IN ('last_block', 'last_block_hash')").run();
      } else {
        this.setMeta("last_block", String(to.block));
        this.setMeta("last_block_hash", to.hash);
      }
    });
  }

  accountCount(): number {
    return Number((this.stmt("SELECT COUNT(*) AS n FROM accounts").get() as Row).n);
  }

  /** Every known account, in the order they were first seen. */
  accounts(): string[] {
    const rows = this.stmt("SELECT account FROM accounts ORDER BY first_block, account").all() as Row[];
    return rows.map((r) => String(r.account));
  }

  // ------------------------------------------------------------------ keeper transactions

  /**
   * Creates a `signing` row (before the transaction is signed) and, for a `liquidateBatch`, its
   * members (index = position in `members`), in one transaction.
   */
  beginTx(
    kind: KeeperTxKind,
    account: string,
    marketId: string | null,
    sizeX18: bigint | null,
    members: readonly { account: string; marketId: string; sizeX18: bigint }[] = [],
  ): number {
    return this.transaction(() => {
      const now = this.clock();
      const result = this.stmt(
        `INSERT INTO keeper_txs (kind, account, market_id, size_x18, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'signing', ?, ?)`,
      ).run(kind, account.toLowerCase(), marketId, sizeX18 === null ? null : sizeX18.toString(), now, now);
      const id = Number(result.lastInsertRowid);
      const insert = this.stmt(
        "INSERT INTO keeper_tx_members (tx_id, idx, account, market_id, size_x18) VALUES (?, ?, ?, ?, ?)",
      );
      members.forEach((m, i) => insert.run(id, i, m.account.toLowerCase(), m.marketId, m.sizeX18.toString()));
      return id;
    });
  }

  /** The entries of batch row `id` in request order (none for other kinds). */
  members(id: number): BatchMember[] {
    return (this.stmt("SELECT * FROM keeper_tx_members WHERE tx_id = ? ORDER BY idx").all(id) as Row[]).map(
      toMember,
    );
  }

  /** Records the outcome of each entry of batch row `id` (from its receipt), in one transaction. */
  setMemberOutcomes(
    id: number,
    outcomes: readonly { index: number; outcome: MemberOutcome; reason: string | null }[],
  ): void {
    this.transaction(() => {
      const update = this.stmt(
        "UPDATE keeper_tx_members SET outcome = ?, reason = ? WHERE tx_id = ? AND idx = ?",
      );
      for (const o of outcomes) {
        if (Number(update.run(o.outcome, o.reason, id, o.index).changes) !== 1) {
          throw new Error(`transaction ${id} has no batch entry ${o.index}`);
        }
      }
    });
  }

  /**
   * Stores a signed transaction before it is broadcast: a new attempt of row `id` (a replacement or a
   * re-signed transaction adds one; the row shows the latest until one is mined).
   */
  markSent(id: number, tx: { hash: string; nonce: number; raw: string; signedAt: number }): void {
    this.transaction(() => {
      this.stmt(
        `INSERT INTO keeper_tx_attempts (hash, tx_id, nonce, raw_tx, signed_at, status)
         VALUES (?, ?, ?, ?, ?, 'sent')`,
      ).run(tx.hash, id, tx.nonce, tx.raw, tx.signedAt);
      this.stmt(
        "UPDATE keeper_txs SET status = 'sent', tx_hash = ?, tx_nonce = ?, raw_tx = ?, updated_at = ? WHERE id = ?",
      ).run(tx.hash, tx.nonce, tx.raw, this.clock(), id);
    });
  }

  /**
   * Final state of a transaction: `confirmed`/`reverted` with the receipt's gas and the hash of the
   * attempt that was mined (the row takes it; the other attempts are `dropped`), or `failed` (every
   * attempt `dropped`).
   */
  finishTx(
    id: number,
    status: "confirmed" | "reverted" | "failed",
    gasUsed: bigint | null = null,
    minedHash: string | null = null,
  ): void {
    this.transaction(() => {
      this.stmt("UPDATE keeper_txs SET status = ?, gas_used = ?, updated_at = ? WHERE id = ?").run(
        status,
        gasUsed === null ? null : gasUsed.toString(),
        this.clock(),
        id,
      );
      this.stmt("UPDATE keeper_tx_attempts SET status = 'dropped' WHERE tx_id = ?").run(id);
      if (minedHash === null) return;
      const mined = this.stmt("SELECT * FROM keeper_tx_attempts WHERE hash = ? AND tx_id = ?").get(
        minedHash,
        id,
      ) as Row | undefined;
      if (mined === undefined) throw new Error(`transaction ${id} has no attempt ${minedHash}`);
      this.stmt("UPDATE keeper_tx_attempts SET status = 'mined' WHERE hash = ?").run(minedHash);
      this.stmt("UPDATE keeper_txs SET tx_hash = ?, tx_nonce = ?, raw_tx = ? WHERE id = ?").run(
        minedHash,
        Number(mined.nonce),
        String(mined.raw_tx),
        id,
      );
    });
  }

  /** Every transaction signed for row `id`, oldest first. */
  attempts(id: number): StoredAttempt[] {
    return (
      this.stmt("SELECT * FROM keeper_tx_attempts WHERE tx_id = ? ORDER BY signed_at, rowid").all(id) as Row[]
    ).map(toAttempt);
  }

  /** Transactions not finished (`signing` or `sent`), oldest first. */
  unfinishedTxs(): StoredKeeperTx[] {
    const rows = this.stmt(
      "SELECT * FROM keeper_txs WHERE status IN ('signing', 'sent') ORDER BY id",
    ).all() as Row[];
    return rows.map(toTx);
  }

  tx(id: number): StoredKeeperTx | undefined {
    const row = this.stmt("SELECT * FROM keeper_txs WHERE id = ?").get(id) as Row | undefined;
    return row === undefined ? undefined : toTx(row);
  }

  /** Every transaction (oldest first), for tests and the e2e checks. */
  allTxs(): StoredKeeperTx[] {
    return (this.stmt("SELECT * FROM keeper_txs ORDER BY id").all() as Row[]).map(toTx);
  }
}
