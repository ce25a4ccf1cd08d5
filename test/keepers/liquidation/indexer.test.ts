import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { AccountIndexer, isRangeTooLarge, type IndexerConfig } from "../../../keepers/liquidation/indexer.js";
import { LiquidationStore } from "../../../keepers/liquidation/store.js";
import { JsonLogger, silentLogger } from "../../../keepers/lib/logger.js";
import { logLines } from "../fakeSubmitter.js";
import { FakeEvents, acct } from "./fakes.js";

const CONFIG: IndexerConfig = { startBlock: 5, confirmations: 2, maxRange: 10, reorgRewindBlocks: 8 };

describe("liquidation keeper: account indexer", function () {
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), "liq-indexer-"));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("indexes from the start block to head − confirmations in bounded ranges, each account once", async function () {
    const events = new FakeEvents();
    events.mine(5, { 2: [acct(99)] }); // blocks 0-4: before the start block, never read
    events.mine(30, { 0: [acct(1), acct(2)], 12: [acct(2), acct(3)], 27: [acct(4)], 29: [acct(5)] });
    const store = new LiquidationStore(":memory:");
    const result = await new AccountIndexer(events, store, CONFIG, silentLogger).sync();
    // head 34, 2 confirmations: blocks 5..32 in ranges of at most 10
    expect(events.ranges).to.deep.equal([
      [5, 14],
      [15, 24],
      [25, 32],
    ]);
    expect(result).to.deep.include({ from: 5, to: 32, ranges: 3, added: 4, reorg: false });
    expect(store.accounts()).to.deep.equal([acct(1), acct(2), acct(3), acct(4)]);
    expect(store.checkpoint()).to.deep.equal({ block: 32, hash: "0x0f32" });
    // block 34 (acct 5) is younger than the confirmation lag: learned once two more blocks exist
    events.mine(2);
    await new AccountIndexer(events, store, CONFIG, silentLogger).sync();
    expect(store.accounts()).to.include(acct(5));
  });

  it("resumes after a restart at checkpoint + 1 without reading a block twice", async function () {
    const file = join(dir, "keeper.sqlite");
    const events = new FakeEvents();
    events.mine(20, { 8: [acct(1)] });
    let store = new LiquidationStore(file);
    await new AccountIndexer(events, store, CONFIG, silentLogger).sync();
    store.close();
    events.mine(15, { 3: [acct(2)] });
    store = new LiquidationStore(file);
    const result = await new AccountIndexer(events, store, CONFIG, silentLogger).sync();
    expect(result.from).to.equal(18);
    const read = events.ranges.flatMap(([from, to]) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i),
    );
    expect(read).to.deep.equal(Array.from({ length: 32 - 5 + 1 }, (_, i) => 5 + i)); // 5..32, each once
    expect(store.accounts()).to.deep.equal([acct(1), acct(2)]);
    store.close();
  });

  it("a failure in the middle of a sync keeps the ranges committed before it, and the next sync completes", async function () {
    const events = new FakeEvents();
    events.mine(40, { 7: [acct(1)], 25: [acct(2)] });
    const store = new LiquidationStore(":memory:");
    const indexer = new AccountIndexer(events, store, CONFIG, silentLogger);
    const original = events.accountsIn.bind(events);
    let calls = 0;
    events.accountsIn = async (from, to) => {
      if (++calls === 2) throw new Error("socket hang up");
      return original(from, to);
    };
    let thrown: unknown;
    await indexer.sync().catch((err: unknown) => (thrown = err));
    expect(String(thrown)).to.include("socket hang up");
    expect(store.checkpoint()?.block).to.equal(14);
    expect(store.accounts()).to.deep.equal([acct(1)]);
    const result = await indexer.sync();
    expect(result.from).to.equal(15);
    expect(store.accounts()).to.deep.equal([acct(1), acct(2)]);
  });

  it("halves the block range when the node refuses a log query, down to what it accepts", async function () {
    const events = new FakeEvents();
    events.mine(30, { 20: [acct(1)] });
    events.maxRange = 3;
    const log = logLines();
    const store = new LiquidationStore(":memory:");
    await new AccountIndexer(events, store, CONFIG, new JsonLogger({ sink: log.sink })).sync();
    expect(events.ranges.every(([from, to]) => to - from + 1 <= 3)).to.equal(true);
    expect(events.ranges[0]).to.deep.equal([5, 6]); // 10 → 5 → 2
    expect(store.checkpoint()?.block).to.equal(27);
    expect(store.accounts()).to.deep.equal([acct(1)]);
    expect(log.lines.some((l) => l.includes("log range refused; halving"))).to.equal(true);
    expect(isRangeTooLarge(new Error("exceed maximum block range: 50000"))).to.equal(true);
    expect(isRangeTooLarge(new Error("execution reverted"))).to.equal(false);
  });

  it("rewinds and re-indexes when a reorg replaced the checkpoint's block", async function () {
    const events = new FakeEvents();
    events.mine(30, { 20: [acct(1)] });
    const store = new LiquidationStore(":memory:");
    const indexer = new AccountIndexer(events, store, CONFIG, silentLogger);
    await indexer.sync();
    expect(store.checkpoint()?.block).to.equal(27);
    // a 6-block-deep reorg (deeper than the lag) puts a new account into block 25
    events.reorg(24, 8, { 1: [acct(7)] });
    const result = await indexer.sync();
    expect(result.reorg).to.equal(true);
    expect(result.from).to.equal(20); // 27 − 8 + 1
    expect(store.accounts()).to.deep.equal([acct(1), acct(7)]);
    expect(store.checkpoint()).to.deep.equal({ block: 29, hash: "0x1f29" });
  });

  it("does nothing when no block is old enough and refuses a database of another deployment", async function () {
    const events = new FakeEvents();
    events.mine(6);
    const store = new LiquidationStore(":memory:");
    const result = await new AccountIndexer(events, store, CONFIG, silentLogger).sync();
    expect(result).to.deep.include({ ranges: 0, added: 0 });
    expect(store.checkpoint()).to.equal(undefined);
    store.bindDeployment("31337:0xabc");
    store.bindDeployment("31337:0xabc");
    expect(() => store.bindDeployment("1:0xabc")).to.throw("belongs to deployment 31337:0xabc");
  });
});
