/**
 * `WalletSubmitter`'s replacement of stuck transactions over a fake node (test/keepers/fakeNode.ts):
 * the fee arithmetic, replacement in `submit`, whichever transaction of a nonce is mined counting,
 * the fee cap, a replacement the node refuses, a nonce used while replacing, and `resume` after a
 * restart.
 */
import { expect } from "chai";
import { Transaction, Wallet } from "ethers";
import { JsonLogger } from "../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../keepers/lib/metrics.js";
import {
  SubmissionError,
  WalletSubmitter,
  bumpedFee,
  initialFees,
  replacementFees,
  type SignedTx,
  type WalletSubmitterOptions,
} from "../../keepers/lib/submitter.js";
import { FakeNode } from "./fakeNode.js";
import { logLines } from "./fakeSubmitter.js";

/** A throwaway key (never funded anywhere). */
const KEY = "0x" + "5a".repeat(32);
const REQUEST = { to: "0x000000000000000000000000000000000000e9e1", data: "0x1234" };

function setup(node: FakeNode, options: WalletSubmitterOptions = {}) {
  const { lines, sink } = logLines();
  const metrics = new MetricsRegistry("t_");
  const submitter = new WalletSubmitter(new Wallet(KEY), node.provider, new JsonLogger({ sink }), {
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    receiptPollMs: 1,
    metrics,
    ...options,
    feeBump: { replaceAfterMs: 20, ...options.feeBump },
  });
  const signed: SignedTx[] = [];
  const hooks = { onSigned: (tx: SignedTx) => void signed.push(tx) };
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { submitter, metrics, signed, hooks, logs };
}

const fees = (tx: SignedTx) => {
  const t = Transaction.from(tx.raw);
  return { maxFeePerGas: t.maxFeePerGas!, maxPriorityFeePerGas: t.maxPriorityFeePerGas! };
};

/** Both fees of `next` at least 12.5 % above `prev`'s. */
function expectBumped(prev: SignedTx, next: SignedTx): void {
  const [a, b] = [fees(prev), fees(next)];
  expect(b.maxFeePerGas * 10_000n).to.be.gte(a.maxFeePerGas * 11_250n);
  expect(b.maxPriorityFeePerGas * 10_000n).to.be.gte(a.maxPriorityFeePerGas * 11_250n);
}

describe("keepers/lib/submitter: fees of replacements", function () {
  it("raises a fee by the bump rounded up, and by at least 1 wei", function () {
    expect(bumpedFee(1_000n, 1_250)).to.equal(1_125n);
    expect(bumpedFee(1_001n, 1_250)).to.equal(1_127n); // 1,126.125 rounded up
    expect(bumpedFee(0n, 1_250)).to.equal(1n);
    expect(bumpedFee(1n, 1_250)).to.equal(2n);
  });

  it("takes the market's fees when higher, the bump otherwise, never a tip above the fee cap", function () {
    const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
    const cap = 10n ** 9n;
    expect(
      replacementFees(previous, { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n }, 1_250, cap),
    ).to.deep.equal({ maxFeePerGas: 113n, maxPriorityFeePerGas: 12n });
    expect(
      replacementFees(previous, { maxFeePerGas: 900n, maxPriorityFeePerGas: 30n }, 1_250, cap),
    ).to.deep.equal({ maxFeePerGas: 900n, maxPriorityFeePerGas: 30n });
    expect(
      replacementFees(previous, { maxFeePerGas: 50n, maxPriorityFeePerGas: 200n }, 1_250, cap),
    ).to.deep.equal({ maxFeePerGas: 200n, maxPriorityFeePerGas: 200n });
    expect(
      replacementFees(previous, { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n }, 2_000, cap),
    ).to.deep.equal({
      maxFeePerGas: 120n,
      maxPriorityFeePerGas: 12n,
    });
  });

  it("clamps to the fee cap while a replacement is still possible, and gives up beyond it", function () {
    const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
    const market = { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 500n };
    expect(replacementFees(previous, market, 1_250, 150n)).to.deep.equal({
      maxFeePerGas: 150n,
      maxPriorityFeePerGas: 150n,
    });
    expect(replacementFees(previous, market, 1_250, 113n)).to.deep.equal({
      maxFeePerGas: 113n,
      maxPriorityFeePerGas: 113n,
    });
    expect(replacementFees(previous, market, 1_250, 112n)).to.equal(null);
    expect(initialFees({ maxFeePerGas: 1_000n, maxPriorityFeePerGas: 500n }, 300n)).to.deep.equal({
      maxFeePerGas: 300n,
      maxPriorityFeePerGas: 300n,
    });
    expect(initialFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 5n }, 300n)).to.deep.equal({
      maxFeePerGas: 100n,
      maxPriorityFeePerGas: 5n,
    });
  });

  it("refuses a bump below 12.5 % and a non-positive cap", function () {
    const node = new FakeNode();
    expect(() => setup(node, { feeBump: { bumpBps: 1_000 } })).to.throw(RangeError, /≥ 1250/);
    expect(() => setup(node, { feeBump: { maxFeePerGasCap: 0n } })).to.throw(RangeError, /positive/);
  });
});

describe("keepers/lib/submitter: stuck transactions", function () {
  it("replaces a transaction not mined in time with the same nonce and higher fees, and returns the mined one", async function () {
    const node = new FakeNode();
    node.onBroadcast = () => {
      node.baseFee = 100n; // from now on blocks need more than the first transaction's 21 wei
    };
    const { submitter, metrics, signed, hooks, logs } = setup(node);
    const receipt = await submitter.submit(REQUEST, hooks);
    expect(signed).to.have.length(2);
    const [first, second] = signed as [SignedTx, SignedTx];
    expect(second.nonce).to.equal(first.nonce);
    expect(fees(first)).to.deep.equal({ maxFeePerGas: 21n, maxPriorityFeePerGas: 1n });
    expectBumped(first, second);
    expect(fees(second).maxFeePerGas).to.equal(201n); // the market's, above the 12.5 % bump
    expect(Transaction.from(second.raw).data).to.equal(REQUEST.data);
    expect(Transaction.from(second.raw).gasLimit).to.equal(Transaction.from(first.raw).gasLimit);
    expect(receipt.hash).to.equal(second.hash);
    expect(node.minedTxs.map((t) => t.hash)).to.deep.equal([second.hash]);
    const rendered = metrics.render();
    expect(rendered).to.include('t_tx_replacements_total{outcome="sent"} 1');
    expect(rendered).to.include('t_tx_mined_total{attempt="replacement"} 1');
    const replaced = logs().find((l) => l.msg === "stuck transaction replaced with higher fees");
    expect(replaced).to.deep.include({
      level: "info",
      nonce: 0,
      replaces: first.hash,
      hash: second.hash,
      attempt: 2,
      maxFeePerGas: "201",
    });
  });

  it("counts whichever transaction of the nonce is mined, the original after its replacement too", async function () {
    const node = new FakeNode();
    node.keepReplacedElsewhere = true;
    let original: string | undefined;
    node.onBroadcast = (tx) => {
      original ??= tx.hash!;
      node.includes = node.broadcasts.length < 2 ? () => false : (t) => t.hash === original;
    };
    const { submitter, metrics, signed, hooks } = setup(node);
    const receipt = await submitter.submit(REQUEST, hooks);
    expect(signed.length).to.be.gte(2);
    expect(receipt.hash).to.equal(signed[0]!.hash);
    expect(node.minedTxs).to.have.length(1);
    expect(metrics.render()).to.include('t_tx_mined_total{attempt="first"} 1');
  });

  it("never signs above the fee cap: replaces up to it, then waits until the receipt timeout", async function () {
    const node = new FakeNode();
    node.onBroadcast = () => {
      node.baseFee = 1_000n;
    };
    const { submitter, metrics, signed, hooks, logs } = setup(node, {
      receiptTimeoutMs: 400,
      feeBump: { maxFeePerGasCap: 30n },
    });
    let thrown: unknown;
    try {
      await submitter.submit(REQUEST, hooks);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(SubmissionError);
    expect((thrown as Error).message).to.include(signed[0]!.hash);
    expect(signed.map((t) => fees(t).maxFeePerGas)).to.deep.equal([21n, 30n]);
    expectBumped(signed[0]!, signed[1]!);
    const rendered = metrics.render();
    expect(rendered).to.include('t_tx_replacements_total{outcome="sent"} 1');
    expect(rendered).to.match(/t_tx_replacements_total\{outcome="fee_cap"\} [1-9]/);
    expect(logs().some((l) => l.msg === "stuck transaction not replaced: fee cap reached")).to.equal(true);
    expect(node.minedTxs).to.have.length(0);
  });

  it("raises the next replacement from one the node refused as underpriced", async function () {
    const node = new FakeNode();
    node.replaceBumpBps = 2_000; // stricter than the submitter's 12.5 %
    node.includes = (tx) => (tx.maxFeePerGas ?? 0n) >= 25n; // the market's 21 stays stuck
    const { submitter, metrics, signed, hooks, logs } = setup(node);
    const receipt = await submitter.submit(REQUEST, hooks);
    expect(signed.map((t) => fees(t).maxFeePerGas)).to.deep.equal([21n, 24n, 27n]);
    expect(receipt.hash).to.equal(signed[2]!.hash);
    const rendered = metrics.render();
    expect(rendered).to.include('t_tx_replacements_total{outcome="refused"} 1');
    expect(rendered).to.include('t_tx_replacements_total{outcome="sent"} 1');
    expect(
      logs().find((l) => l.msg === "replacement refused as underpriced; the next one is raised from it"),
    ).to.deep.include({ level: "warn", hash: signed[1]!.hash });
  });

  it("a nonce used while replacing is answered by the receipt of its own mined transaction, not re-signed", async function () {
    const node = new FakeNode();
    node.autoMine = false;
    node.onBroadcast = () => {
      if (node.broadcasts.length === 2) node.mine(); // the original is mined just before the replacement arrives
    };
    const { submitter, signed, hooks } = setup(node);
    const receipt = await submitter.submit(REQUEST, hooks);
    expect(signed).to.have.length(2);
    expect(receipt.hash).to.equal(signed[0]!.hash);
    expect(new Set(signed.map((t) => t.nonce))).to.deep.equal(new Set([0]));
  });

  it("re-signs with a new nonce when another sender used it and none of its transactions was mined", async function () {
    const node = new FakeNode();
    const wallet = new Wallet(KEY);
    node.onBroadcast = (tx) => {
      if (node.broadcasts.length === 1) node.takeNonce(wallet.address);
      else if (tx.nonce === 0) throw new Error(`nonce 0 must not be broadcast again (${tx.hash})`);
    };
    const { submitter, signed, hooks } = setup(node);
    const receipt = await submitter.submit(REQUEST, hooks);
    expect(signed.map((t) => t.nonce)).to.deep.equal([0, 1]);
    expect(receipt.hash).to.equal(signed[1]!.hash);
  });
});

describe("keepers/lib/submitter: resume after a restart", function () {
  async function stuck(node: FakeNode) {
    node.onBroadcast = () => {
      node.baseFee = 100n;
    };
    const first = setup(node, { receiptTimeoutMs: 5, feeBump: { replaceAfterMs: 60_000 } });
    let error: unknown;
    await first.submitter.submit(REQUEST, first.hooks).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(SubmissionError);
    node.onBroadcast = () => undefined;
    return first.signed;
  }

  it("replaces a pending transaction that waited too long and reports it pending, then its receipt", async function () {
    const node = new FakeNode();
    const sent = await stuck(node);
    node.autoMine = false;
    const { submitter, signed, hooks } = setup(node, { feeBump: { replaceAfterMs: 60_000 } });
    const old = sent.map((t) => ({ ...t, signedAt: 0 })); // signed long ago
    const resumed = await submitter.resume(old, hooks);
    expect(resumed.kind).to.equal("pending");
    expect(signed).to.have.length(1);
    expect(resumed).to.deep.equal({ kind: "pending", replacement: signed[0] });
    expectBumped(sent[0]!, signed[0]!);
    expect(node.isPending(signed[0]!.hash)).to.equal(true);

    // Not due yet: nothing more is signed.
    expect(await submitter.resume([...old, ...signed], hooks)).to.deep.equal({
      kind: "pending",
      replacement: undefined,
    });
    node.mine();
    const mined = await submitter.resume([...old, ...signed], hooks);
    expect(mined.kind === "mined" && mined.receipt.hash).to.equal(signed[0]!.hash);
    expect(signed).to.have.length(1);
  });

  it("does not replace a transaction waiting behind an earlier nonce (higher fees would not move it)", async function () {
    const node = new FakeNode();
    node.autoMine = false;
    const wallet = new Wallet(KEY);
    const sign = (nonce: number, maxFeePerGas: bigint) =>
      wallet.signTransaction(
        Transaction.from({
          type: 2,
          chainId: node.chainId,
          to: REQUEST.to,
          data: REQUEST.data,
          nonce,
          gasLimit: 100_000n,
          maxFeePerGas,
          maxPriorityFeePerGas: 1n,
        }),
      );
    // Nonce 0 is pending with a fee cap the blocks do not cover; ours is nonce 1, behind it.
    node.broadcast(await sign(0, 5n));
    const raw = await sign(1, 21n);
    node.broadcast(raw);
    const sent: SignedTx = { hash: Transaction.from(raw).hash!, nonce: 1, raw, signedAt: 0 };
    const { submitter, signed, hooks } = setup(node);
    expect(await submitter.resume([sent], hooks)).to.deep.equal({ kind: "pending", replacement: undefined });
    expect(signed).to.have.length(0);
  });

  it("rebroadcasts the latest byte for byte when the node has none, and awaits it", async function () {
    const node = new FakeNode();
    const sent = await stuck(node);
    node.forgetMempool();
    node.baseFee = 10n;
    const { submitter, signed, hooks } = setup(node);
    const resumed = await submitter.resume(sent, hooks);
    expect(resumed.kind === "mined" && resumed.receipt.hash).to.equal(sent.at(-1)!.hash);
    expect(node.broadcasts.at(-1)!.serialized).to.equal(sent.at(-1)!.raw);
    expect(signed).to.have.length(0);
  });

  it("reports a nonce another transaction used, after checking none of its own was mined", async function () {
    const node = new FakeNode();
    const sent = await stuck(node);
    node.forgetMempool();
    node.takeNonce(new Wallet(KEY).address);
    const { submitter, hooks } = setup(node);
    expect(await submitter.resume(sent, hooks)).to.deep.equal({ kind: "nonce_taken" });
  });
});
