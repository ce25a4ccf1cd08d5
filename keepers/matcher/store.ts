/**
 * Restart-safe persistence of the matcher in SQLite (Node 22's built-in `node:sqlite`, WAL mode):
 * accepted orders, the fills the book produced, and the settlement batches with their signed
 * transactions. Every state change of the engine is one SQLite transaction, so after a crash the
 * database holds either the state before or after it.
 *
 * Fill life cycle: `queued` (matched in the book) → `submitted` (in a batch) → `settled` | `skipped`
 * (from the receipt), or back to `queued` when a batch fails before execution.
 * Batch life cycle: `signing` → `sent` (tx hash, nonce and raw signed tx stored BEFORE broadcast) →
 * `confirmed` | `failed`. Every transaction signed for a batch is an **attempt** (the first, its
 * fee-bumped replacements with the same nonce, one with a new nonce after a nonce conflict), each
 * stored before its broadcast; the batch is confirmed with the attempt that was mined (`mined`, the
 * others `dropped`). On restart the engine reconciles `signing` and `sent` batches against the
 * chain; a stored raw transaction is rebroadcast as is (same nonce), so it executes at most once.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { MatcherFillStatus, MatcherOrderStatus } from "../../sdk/matcher.js";
import type { Order } from "../../sdk/orders.js";

/** The statuses are part of the HTTP API, so the SDK defines them (`sdk/matcher.ts`). */
export type OrderStatus = MatcherOrderStatus;
export type FillStatus = MatcherFillStatus;
export type BatchStatus = "signing" | "sent" | "confirmed" | "failed";
export type AttemptStatus = "sent" | "mined" | "dropped";

/** One signed transaction of a batch. */
export interface StoredBatchAttempt {
  batchId: number;
  hash: string;
  nonce: number;
  raw: string;
  /** When it was signed (ms since the epoch). */
  signedAt: number;
  status: AttemptStatus;
}

export interface StoredOrder {
  hash: string;
  seq: number;
  order: Order;
  signature: string;
  status: OrderStatus;
  /** Size confirmed filled on chain (settled matches, plus fills made elsewhere before acceptance). */
  filledX18: bigint;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface StoredFill {
  id: number;
  marketId: string;
  makerHash: string;
  takerHash: string;
  sizeX18: bigint;
  priceX18: bigint;
  status: FillStatus;
  batchId: number | null;
  batchIndex: number | null;
  skipReason: string | null;
  createdAt: number;
}

/** A fill with the hash of its batch's transaction (null until the batch is signed). */
export interface FillRecord extends StoredFill {
  txHash: string | null;
}

/** A fill seen from one of the orders of an owner (a fill between two of its orders is two). */
export interface OwnerFillRecord extends FillRecord {
  /** The owner's order in this fill. */
  order: Order;
  orderHash: string;
  role: "maker" | "taker";
}

/** Filters of the owner listings; results are newest first. */
export interface OwnerQuery<S extends string> {
  owner: string;
  /** Any of these statuses (all when absent). */
  statuses?: readonly S[];
  marketId?: string;
  subaccount?: bigint;
  /** Only entries older than this cursor (an order's `seq`, a fill's `id`). */
  before?: number;
  limit: number;
}

/** One page of a listing; `nextBefore` is the cursor of the next page (null on the last page). */
export interface Page<T> {
  items: T[];
  nextBefore: number | null;
}

export interface StoredBatch {
  id: number;
  status: BatchStatus;
  txHash: string | null;
  txNonce: number | null;
  rawTx: string | null;
  gasUsed: bigint | null;
  createdAt: number;
  updatedAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  hash TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  market_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  nonce TEXT NOT NULL,
  order_json TEXT NOT NULL,
  signature TEXT NOT NULL,
  status TEXT NOT NULL,
  filled_x18 TEXT NOT NULL,
  reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status, seq);
CREATE INDEX IF NOT EXISTS orders_owner ON orders (owner, seq);
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  status TEXT NOT NULL,
  tx_hash TEXT,
  tx_nonce INTEGER,
  raw_tx TEXT,
  gas_used TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  market_id TEXT NOT NULL,
  maker_hash TEXT NOT NULL REFERENCES orders (hash),
  taker_hash TEXT NOT NULL REFERENCES orders (hash),
  size_x18 TEXT NOT NULL,
  price_x18 TEXT NOT NULL,
  status TEXT NOT NULL,
  batch_id INTEGER REFERENCES batches (id),
  batch_index INTEGER,
  skip_reason TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_status ON fills (status, id);
CREATE INDEX IF NOT EXISTS fills_batch ON fills (batch_id, batch_index);
CREATE INDEX IF NOT EXISTS fills_maker ON fills (maker_hash);
CREATE INDEX IF NOT EXISTS fills_taker ON fills (taker_hash);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batch_attempts (
  hash TEXT PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches (id),
  nonce INTEGER NOT NULL,
  raw_tx TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_attempts_batch ON batch_attempts (batch_id, signed_at);
-- Databases written before attempts existed: a signed batch's transaction is its first attempt.
INSERT OR IGNORE INTO batch_attempts (hash, batch_id, nonce, raw_tx, signed_at, status)
  SELECT tx_hash, id, tx_nonce, raw_tx, updated_at,
         CASE status WHEN 'sent' THEN 'sent' WHEN 'confirmed' THEN 'mined' ELSE 'dropped' END
  FROM batches
  WHERE tx_hash IS NOT NULL AND raw_tx IS NOT NULL AND tx_nonce IS NOT NULL;
`;

type Row = Record<string, unknown>;

function orderFromJson(json: string): Order {
  const o = JSON.parse(json) as Record<string, string | number | boolean>;
  return {
    owner: String(o.owner),
    subaccount: BigInt(o.subaccount as string),
    signer: String(o.signer),
    marketId: String(o.marketId),
    isBuy: o.isBuy === true,
    sizeX18: BigInt(o.sizeX18 as string),
    limitPriceX18: BigInt(o.limitPriceX18 as string),
    expiry: BigInt(o.expiry as string),
    nonce: BigInt(o.nonce as string),
    epoch: BigInt(o.epoch as string),
    flags: Number(o.flags),
  };
}

function orderJson(order: Order): string {
  return JSON.stringify(order, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

function toOrder(row: Row): StoredOrder {
  return {
    hash: String(row.hash),
    seq: Number(row.seq),
    order: orderFromJson(String(row.order_json)),
    signature: String(row.signature),
    status: String(row.status) as OrderStatus,
    filledX18: BigInt(String(row.filled_x18)),
    reason: row.reason === null ? null : String(row.reason),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toFill(row: Row): StoredFill {
  return {
    id: Number(row.id),
    marketId: String(row.market_id),
    makerHash: String(row.maker_hash),
    takerHash: String(row.taker_hash),
    sizeX18: BigInt(String(row.size_x18)),
    priceX18: BigInt(String(row.price_x18)),
    status: String(row.status) as FillStatus,
    batchId: row.batch_id === null ? null : Number(row.batch_id),
    batchIndex: row.batch_index === null ? null : Number(row.batch_index),
    skipReason: row.skip_reason === null ? null : String(row.skip_reason),
    createdAt: Number(row.created_at),
  };
}

function toFillRecord(row: Row): FillRecord {
  return { ...toFill(row), txHash: row.tx_hash === null ? null : String(row.tx_hash) };
}

/** `WHERE` terms and parameters of the owner filters common to orders and fills. */
function ownerFilter<S extends string>(
  q: OwnerQuery<S>,
  columns: { status: string; market: string; cursor: string },
): { where: string; params: (string | number)[] } {
  const terms = ["o.owner = ?"];
  const params: (string | number)[] = [q.owner.toLowerCase()];
  if (q.statuses !== undefined && q.statuses.length > 0) {
    terms.push(`${columns.status} IN (${q.statuses.map(() => "?").join(", ")})`);
    params.push(...q.statuses);
  }
  if (q.marketId !== undefined) {
    terms.push(`${columns.market} = ?`);
    params.push(q.marketId);
  }
  if (q.subaccount !== undefined) {
    // The subaccount lives in the order's JSON as a decimal string.
    terms.push("json_extract(o.order_json, '$.subaccount') = ?");
    params.push(q.subaccount.toString());
  }
  if (q.before !== undefined) {
    terms.push(`${columns.cursor} < ?`);
    params.push(q.before);
  }
  return { where: terms.join(" AND "), params };
}

function toBatch(row: Row): StoredBatch {
  return {
    id: Number(row.id),
    status: String(row.status) as BatchStatus,
    txHash: row.tx_hash === null ? null : String(row.tx_hash),
    txNonce: row.tx_nonce === null ? null : Number(row.tx_nonce),
    rawTx: row.raw_tx === null ? null : String(row.raw_tx),
    gasUsed: row.gas_used === null ? null : BigInt(String(row.gas_used)),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toAttempt(row: Row): StoredBatchAttempt {
  return {
    batchId: Number(row.batch_id),
    hash: String(row.hash),
    nonce: Number(row.nonce),
    raw: String(row.raw_tx),
    signedAt: Number(row.signed_at),
    status: String(row.status) as AttemptStatus,
  };
}

export class MatcherStore {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<string, StatementSync> = {};
  private closed = false;

  /** Opens (creating if needed) the database at `path` (":memory:" for tests). */
  constructor(
    readonly path: string,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.db = new DatabaseSync(path);
    if (path !== ":memory:") this.db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed transaction survives a power loss (a fill must never be forgotten).
    this.db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
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

  private stmt(sql: string): StatementSync {
    let s = this.stmts[sql];
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts[sql] = s;
    }
    return s;
  }

  // ------------------------------------------------------------------ orders

  nextSeq(): number {
    const row = this.stmt("SELECT COALESCE(MAX(seq), 0) AS m FROM orders").get() as Row;
    return Number(row.m) + 1;
  }

  insertOrder(o: { hash: string; seq: number; order: Order; signature: string; filledX18: bigint }): void {
    const now = this.clock();
    this.stmt(
      `INSERT INTO orders (hash, seq, market_id, owner, nonce, order_json, signature, status, filled_x18, reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL, ?, ?)`,
    ).run(
      o.hash,
      o.seq,
      o.order.marketId,
      o.order.owner.toLowerCase(),
      o.order.nonce.toString(),
      orderJson(o.order),
      o.signature,
      o.filledX18.toString(),
      now,
      now,
    );
  }

  getOrder(hash: string): StoredOrder | undefined {
    const row = this.stmt("SELECT * FROM orders WHERE hash = ?").get(hash) as Row | undefined;
    return row ? toOrder(row) : undefined;
  }

  /** Open orders in acceptance order (rebuilding the books). */
  openOrders(): StoredOrder[] {
    return (this.stmt("SELECT * FROM orders WHERE status = 'open' ORDER BY seq").all() as Row[]).map(toOrder);
  }

  /** The orders of `q.owner`, newest (highest `seq`) first. */
  ordersOfOwner(q: OwnerQuery<OrderStatus>): Page<StoredOrder> {
    const { where, params } = ownerFilter(q, { status: "o.status", market: "o.market_id", cursor: "o.seq" });
    const rows = this.stmt(`SELECT o.* FROM orders o WHERE ${where} ORDER BY o.seq DESC LIMIT ?`).all(
      ...params,
      q.limit + 1,
    ) as Row[];
    const items = rows.slice(0, q.limit).map(toOrder);
    return { items, nextBefore: rows.length > q.limit ? items.at(-1)!.seq : null };
  }

  /** Open orders of `owner` with `nonce` (orders sharing a nonce are one-cancels-other on chain). */
  openOrdersWithNonce(owner: string, nonce: bigint): StoredOrder[] {
    return (
      this.stmt("SELECT * FROM orders WHERE status = 'open' AND owner = ? AND nonce = ?").all(
        owner.toLowerCase(),
        nonce.toString(),
      ) as Row[]
    ).map(toOrder);
  }

  /** Sets a terminal status (only from `open`; returns whether it changed). */
  closeOrder(hash: string, status: Exclude<OrderStatus, "open">, reason: string | null): boolean {
    const result = this.stmt(
      "UPDATE orders SET status = ?, reason = ?, updated_at = ? WHERE hash = ? AND status = 'open'",
    ).run(status, reason, this.clock(), hash);
    return Number(result.changes) > 0;
  }

  addFilled(hash: string, sizeX18: bigint): bigint {
    const order = this.getOrder(hash);
    if (!order) throw new Error(`unknown order ${hash}`);
    const filled = order.filledX18 + sizeX18;
    this.stmt("UPDATE orders SET filled_x18 = ?, updated_at = ? WHERE hash = ?").run(
      filled.toString(),
      this.clock(),
      hash,
    );
    return filled;
  }

  // ------------------------------------------------------------------ fills

  insertFill(f: {
    marketId: string;
    makerHash: string;
    takerHash: string;
    sizeX18: bigint;
    priceX18: bigint;
  }): number {
    const result = this.stmt(
      `INSERT INTO fills (market_id, maker_hash, taker_hash, size_x18, price_x18, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
    ).run(f.marketId, f.makerHash, f.takerHash, f.sizeX18.toString(), f.priceX18.toString(), this.clock());
    return Number(result.lastInsertRowid);
  }

  getFill(id: number): StoredFill | undefined {
    const row = this.stmt("SELECT * FROM fills WHERE id = ?").get(id) as Row | undefined;
    return row ? toFill(row) : undefined;
  }

  /** The oldest queued fills. */
  queuedFills(limit: number): StoredFill[] {
    return (
      this.stmt("SELECT * FROM fills WHERE status = 'queued' ORDER BY id LIMIT ?").all(limit) as Row[]
    ).map(toFill);
  }

  countFills(status: FillStatus): number {
    return Number((this.stmt("SELECT COUNT(*) AS n FROM fills WHERE status = ?").get(status) as Row).n);
  }

  /** The fills of an order, oldest first, with their transaction hashes. */
  fillsOfOrder(hash: string): FillRecord[] {
    return (
      this.stmt(
        `SELECT f.*, b.tx_hash AS tx_hash FROM fills f LEFT JOIN batches b ON b.id = f.batch_id
         WHERE f.maker_hash = ? OR f.taker_hash = ? ORDER BY f.id`,
      ).all(hash, hash) as Row[]
    ).map(toFillRecord);
  }

  /**
   * The fills of `q.owner`'s orders, newest first: one entry per fill and order of the owner, so a
   * fill between two of its orders (two subaccounts) is two entries, which always share a page.
   */
  fillsOfOwner(q: OwnerQuery<FillStatus>): Page<OwnerFillRecord> {
    const { where, params } = ownerFilter(q, { status: "f.status", market: "f.market_id", cursor: "f.id" });
    // One more fill than asked (two entries at most), to know whether another page follows.
    const rows = this.stmt(
      `SELECT f.*, b.tx_hash AS tx_hash, o.hash AS order_hash, o.order_json AS order_json,
              CASE WHEN f.maker_hash = o.hash THEN 'maker' ELSE 'taker' END AS role
       FROM orders o JOIN fills f ON f.maker_hash = o.hash OR f.taker_hash = o.hash
       LEFT JOIN batches b ON b.id = f.batch_id
       WHERE ${where} ORDER BY f.id DESC, role LIMIT ?`,
    ).all(...params, q.limit + 2) as Row[];
    const entries = rows.map((row): OwnerFillRecord => ({
      ...toFillRecord(row),
      order: orderFromJson(String(row.order_json)),
      orderHash: String(row.order_hash),
      role: row.role === "maker" ? "maker" : "taker",
    }));
    let end = Math.min(q.limit, entries.length);
    // Never split the two entries of one fill across pages.
    if (end > 0 && end < entries.length && entries[end]!.id === entries[end - 1]!.id) end++;
    const items = entries.slice(0, end);
    return { items, nextBefore: end < entries.length ? items.at(-1)!.id : null };
  }

  /** Size of `hash` in fills not yet settled or skipped (queued or submitted). */
  reservedX18(hash: string): bigint {
    const rows = this.stmt(
      "SELECT size_x18 FROM fills WHERE (maker_hash = ? OR taker_hash = ?) AND status IN ('queued', 'submitted')",
    ).all(hash, hash) as Row[];
    return rows.reduce((sum, r) => sum + BigInt(String(r.size_x18)), 0n);
  }

  fillsOfBatch(batchId: number): StoredFill[] {
    return (
      this.stmt("SELECT * FROM fills WHERE batch_id = ? ORDER BY batch_index").all(batchId) as Row[]
    ).map(toFill);
  }

  setFillOutcome(id: number, status: "settled" | "skipped", skipReason: string | null): void {
    this.stmt("UPDATE fills SET status = ?, skip_reason = ? WHERE id = ?").run(status, skipReason, id);
  }

  // ------------------------------------------------------------------ batches

  /** Creates a batch of `fillIds` (in that order: batch index i is fillIds[i]) and marks them submitted. */
  createBatch(fillIds: readonly number[]): number {
    const now = this.clock();
    const result = this.stmt(
      "INSERT INTO batches (status, created_at, updated_at) VALUES ('signing', ?, ?)",
    ).run(now, now);
    const batchId = Number(result.lastInsertRowid);
    const update = this.stmt(
      "UPDATE fills SET status = 'submitted', batch_id = ?, batch_index = ? WHERE id = ? AND status = 'queued'",
    );
    fillIds.forEach((id, index) => {
      const changed = update.run(batchId, index, id);
      if (Number(changed.changes) !== 1) throw new Error(`fill ${id} is not queued`);
    });
    return batchId;
  }

  /**
   * Records a signed transaction of a batch (called before it is broadcast): a new attempt (a
   * replacement or a re-signed transaction adds one; the batch shows the latest until one is mined).
   */
  batchSigned(batchId: number, tx: { hash: string; nonce: number; raw: string; signedAt: number }): void {
    this.stmt(
      `INSERT INTO batch_attempts (hash, batch_id, nonce, raw_tx, signed_at, status)
       VALUES (?, ?, ?, ?, ?, 'sent')`,
    ).run(tx.hash, batchId, tx.nonce, tx.raw, tx.signedAt);
    this.stmt(
      "UPDATE batches SET status = 'sent', tx_hash = ?, tx_nonce = ?, raw_tx = ?, updated_at = ? WHERE id = ?",
    ).run(tx.hash, tx.nonce, tx.raw, this.clock(), batchId);
  }

  /** Marks `minedHash` the attempt of `batchId` that was mined, the others dropped, and the batch shows it. */
  private attemptMined(batchId: number, minedHash: string | null): void {
    this.stmt("UPDATE batch_attempts SET status = 'dropped' WHERE batch_id = ?").run(batchId);
    if (minedHash === null) return;
    const mined = this.stmt("SELECT * FROM batch_attempts WHERE hash = ? AND batch_id = ?").get(
      minedHash,
      batchId,
    ) as Row | undefined;
    if (mined === undefined) throw new Error(`batch ${batchId} has no attempt ${minedHash}`);
    this.stmt("UPDATE batch_attempts SET status = 'mined' WHERE hash = ?").run(minedHash);
    this.stmt("UPDATE batches SET tx_hash = ?, tx_nonce = ?, raw_tx = ? WHERE id = ?").run(
      minedHash,
      Number(mined.nonce),
      String(mined.raw_tx),
      batchId,
    );
  }

  /** Confirms a batch with the receipt of its attempt `minedHash`. */
  batchConfirmed(batchId: number, gasUsed: bigint, minedHash: string): void {
    this.stmt("UPDATE batches SET status = 'confirmed', gas_used = ?, updated_at = ? WHERE id = ?").run(
      gasUsed.toString(),
      this.clock(),
      batchId,
    );
    this.attemptMined(batchId, minedHash);
  }

  /**
   * Fails a batch that did not execute: its fills go back to the queue in their original order.
   * `minedHash`: the attempt that was mined but reverted, if any.
   */
  batchFailed(batchId: number, minedHash: string | null = null): void {
    this.stmt("UPDATE batches SET status = 'failed', updated_at = ? WHERE id = ?").run(this.clock(), batchId);
    this.stmt(
      "UPDATE fills SET status = 'queued', batch_id = NULL, batch_index = NULL WHERE batch_id = ? AND status = 'submitted'",
    ).run(batchId);
    this.attemptMined(batchId, minedHash);
  }

  /** Every transaction signed for batch `batchId`, oldest first. */
  batchAttempts(batchId: number): StoredBatchAttempt[] {
    return (
      this.stmt("SELECT * FROM batch_attempts WHERE batch_id = ? ORDER BY signed_at, rowid").all(
        batchId,
      ) as Row[]
    ).map(toAttempt);
  }

  getBatch(id: number): StoredBatch | undefined {
    const row = this.stmt("SELECT * FROM batches WHERE id = ?").get(id) as Row | undefined;
    return row ? toBatch(row) : undefined;
  }

  /** Batches whose outcome is not known yet (`signing` or `sent`), oldest first. */
  pendingBatches(): StoredBatch[] {
    return (
      this.stmt("SELECT * FROM batches WHERE status IN ('signing', 'sent') ORDER BY id").all() as Row[]
    ).map(toBatch);
  }

  // ------------------------------------------------------------------ meta

  getMeta(key: string): string | undefined {
    const row = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.stmt(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }
}
