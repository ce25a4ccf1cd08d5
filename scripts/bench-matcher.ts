/**
 * Matcher throughput on this machine (loopback only, bounded loops):
 *  1. the in-memory book: orders matched per second (`OrderBook.add`, no I/O);
 *  2. the engine without HTTP: validation (ECDSA recovery) + book + SQLite per order;
 *  3. the HTTP API: `POST /orders` over loopback with 16 concurrent clients, signature verification
 *     and SQLite persistence included (the chain is an in-memory fake: no RPC latency).
 * Run: `node scripts/toolchain.cjs tsx scripts/bench-matcher.ts [orders]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { silentLogger } from "../keepers/lib/logger.js";
import { MatcherApi } from "../keepers/matcher/api.js";
import { type BookOrder, OrderBook } from "../keepers/matcher/book.js";
import { orderDigest } from "../sdk/orders.js";
import { E18, MARKET, NOW, body, domain, makeMatcher, makeOrder, signed } from "./lib/fake-matcher.js";

const ORDERS = Math.min(Number(process.argv[2] ?? "3000"), 20_000);
const BOOK_ORDERS = 200_000;

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;
}

/** Deterministic prices around 100 with crossing: ~half the orders trade. */
function price(i: number): bigint {
  return 95n + BigInt((i * 7919) % 11);
}

function benchBook(): void {
  const wallets = [
    new Wallet(Wallet.createRandom().privateKey),
    new Wallet(Wallet.createRandom().privateKey),
    new Wallet(Wallet.createRandom().privateKey),
    new Wallet(Wallet.createRandom().privateKey),
  ];
  const entries: BookOrder[] = [];
  for (let i = 0; i < BOOK_ORDERS; i++) {
    const order = makeOrder(wallets[i % 4] as Wallet, i % 2 === 0, BigInt(1 + (i % 5)), price(i));
    entries.push({
      hash: `0x${i.toString(16).padStart(64, "0")}`,
      order,
      signature: "0x",
      seq: i,
      remainingX18: order.sizeX18,
    });
  }
  const book = new OrderBook(MARKET);
  let fills = 0;
  const start = performance.now();
  for (const e of entries) {
    const r = book.add(e, NOW);
    if (r.status === "accepted") fills += r.fills.length;
  }
  const ms = performance.now() - start;
  console.log(
    `book: ${BOOK_ORDERS} orders in ${ms.toFixed(0)} ms → ${rate(BOOK_ORDERS, ms)} (${fills} fills, ${book.size} resting)`,
  );
}

async function presign(n: number): Promise<unknown[]> {
  const wallets = Array.from({ length: 8 }, () => new Wallet(Wallet.createRandom().privateKey));
  const bodies: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const w = wallets[i % 8] as Wallet;
    bodies.push(
      body(await signed(w, makeOrder(w, i % 2 === 0, BigInt(1 + (i % 5)), price(i), { nonce: BigInt(i) }))),
    );
  }
  return bodies;
}

async function benchEngine(bodies: unknown[], dir: string): Promise<void> {
  const m = makeMatcher(join(dir, "engine.sqlite"));
  const start = performance.now();
  for (const b of bodies) await m.engine.submit(b);
  const ms = performance.now() - start;
  console.log(
    `engine (validate + book + SQLite): ${bodies.length} orders in ${ms.toFixed(0)} ms → ${rate(bodies.length, ms)} (${m.store.countFills("queued")} fills)`,
  );
  m.store.close();
}

async function benchHttp(bodies: unknown[], dir: string): Promise<void> {
  const m = makeMatcher(join(dir, "http.sqlite"));
  const api = new MatcherApi(m.engine, m.metrics, silentLogger, {
    accepting: () => true,
    details: () => ({}),
  });
  const port = await api.listen(0, "127.0.0.1");
  const texts = bodies.map((b) => JSON.stringify(b));
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < texts.length) {
      const text = texts[next++]!;
      const res = await fetch(`http://127.0.0.1:${port}/orders`, {
        method: "POST",
        body: text,
        headers: { "content-type": "application/json" },
      });
      await res.arrayBuffer();
      if (res.status !== 201) failures++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: 16 }, worker));
  const ms = performance.now() - start;
  console.log(
    `http POST /orders (16 clients): ${texts.length} orders in ${ms.toFixed(0)} ms → ${rate(texts.length, ms)} (${failures} non-201)`,
  );
  await api.close();
  m.store.close();
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${ORDERS} signed orders (E18=${E18 > 0n}, digest check ${orderDigest(domain, makeOrder(new Wallet(Wallet.createRandom().privateKey), true, 1n, 1n)).length === 66})`,
  );
  benchBook();
  const dir = mkdtempSync(join(tmpdir(), "matcher-bench-"));
  try {
    const bodies = await presign(ORDERS * 2);
    await benchEngine(bodies.slice(0, ORDERS), dir);
    await benchHttp(bodies.slice(ORDERS), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
