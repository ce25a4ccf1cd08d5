/**
 * A node for `WalletSubmitter` without a chain: just enough of ethers' `Provider` (fees, nonces, a
 * mempool with the replacement rule, blocks mined at each receipt poll) to drive fee bumping, nonce
 * conflicts and restarts deterministically.
 */
import { Transaction, makeError, type Provider, type TransactionReceipt } from "ethers";

export class FakeNode {
  readonly chainId = 31337n;
  /** The next block's base fee; `getFeeData` suggests 2 × base fee + tip, like ethers. */
  baseFee = 10n;
  tip = 1n;
  /** The node's replacement rule: both fees at least this much higher (bps; geth and EDR: 1,000). */
  replaceBumpBps = 1_000;
  /** Whether a block includes a pending transaction (default: its fee cap covers the base fee). */
  includes: (tx: Transaction) => boolean = (tx) => (tx.maxFeePerGas ?? 0n) >= this.baseFee;
  /** A block is mined at every receipt poll. */
  autoMine = true;
  /** Replaced transactions stay minable (another node's mempool still has them). */
  keepReplacedElsewhere = false;
  /** Every broadcast the node accepted or refused, in order. */
  readonly broadcasts: Transaction[] = [];
  /** Called before a broadcast is handled (tests change the node's state here). */
  onBroadcast: (tx: Transaction) => void = () => undefined;
  /** Called when a transaction is mined. */
  onMined: (tx: Transaction, receipt: TransactionReceipt) => void = () => undefined;
  /** Mined transactions in order. */
  readonly minedTxs: Transaction[] = [];
  private readonly mempool = new Map<string, Transaction>();
  private readonly elsewhere: Transaction[] = [];
  private readonly receipts = new Map<string, TransactionReceipt>();
  private readonly nonces = new Map<string, number>();

  private static key(tx: Transaction): string {
    return `${tx.from!.toLowerCase()}:${tx.nonce}`;
  }

  minedNonce(from: string): number {
    return this.nonces.get(from.toLowerCase()) ?? 0;
  }

  /** Another sender of the same key uses the next nonce (a transaction the keeper never signed). */
  takeNonce(from: string): void {
    const nonce = this.minedNonce(from);
    this.nonces.set(from.toLowerCase(), nonce + 1);
    for (const [key, tx] of this.mempool) {
      if (tx.from!.toLowerCase() === from.toLowerCase() && tx.nonce === nonce) this.mempool.delete(key);
    }
  }

  /** Mines one block: for each sender, the transaction with its next nonce that the block includes. */
  mine(): void {
    const candidates = [...this.mempool.values(), ...this.elsewhere];
    const senders = new Set(candidates.map((tx) => tx.from!.toLowerCase()));
    for (const from of senders) {
      const nonce = this.minedNonce(from);
      const tx = candidates.find(
        (t) => t.from!.toLowerCase() === from && t.nonce === nonce && this.includes(t),
      );
      if (tx === undefined) continue;
      const receipt = {
        hash: tx.hash,
        status: 1,
        gasUsed: 50_000n,
        logs: [],
      } as unknown as TransactionReceipt;
      this.receipts.set(tx.hash!, receipt);
      this.minedTxs.push(tx);
      this.nonces.set(from, nonce + 1);
      this.mempool.delete(FakeNode.key(tx));
      for (let i = this.elsewhere.length - 1; i >= 0; i--) {
        const other = this.elsewhere[i]!;
        if (other.from!.toLowerCase() === from && other.nonce === nonce) this.elsewhere.splice(i, 1);
      }
      this.onMined(tx, receipt);
    }
  }

  private bumped(fee: bigint): bigint {
    return (fee * BigInt(10_000 + this.replaceBumpBps)) / 10_000n;
  }

  broadcast(raw: string): void {
    const tx = Transaction.from(raw);
    this.broadcasts.push(tx);
    this.onBroadcast(tx);
    if (tx.nonce < this.minedNonce(tx.from!)) {
      throw makeError("nonce has already been used", "NONCE_EXPIRED", { transaction: {} });
    }
    const key = FakeNode.key(tx);
    const existing = this.mempool.get(key);
    if (existing?.hash === tx.hash) throw new Error("already known");
    if (existing !== undefined) {
      const enough =
        (tx.maxFeePerGas ?? 0n) >= this.bumped(existing.maxFeePerGas ?? 0n) &&
        (tx.maxPriorityFeePerGas ?? 0n) >= this.bumped(existing.maxPriorityFeePerGas ?? 0n);
      if (!enough) {
        throw makeError("replacement fee too low", "REPLACEMENT_UNDERPRICED", { transaction: {} });
      }
      if (this.keepReplacedElsewhere) this.elsewhere.push(existing);
    }
    this.mempool.set(key, tx);
  }

  /** The node forgets its mempool (a restart). */
  forgetMempool(): void {
    this.mempool.clear();
  }

  isPending(hash: string): boolean {
    return [...this.mempool.values()].some((tx) => tx.hash === hash);
  }

  get provider(): Provider {
    const pendingCount = (from: string): number => {
      let next = this.minedNonce(from);
      for (const tx of this.mempool.values()) {
        if (tx.from!.toLowerCase() === from.toLowerCase() && tx.nonce >= next) next = tx.nonce + 1;
      }
      return next;
    };
    const provider = {
      call: async () => "0x",
      estimateGas: async () => 100_000n,
      getNetwork: async () => ({ chainId: this.chainId }),
      getTransactionCount: async (from: string, tag?: string) =>
        tag === "latest" ? this.minedNonce(from) : pendingCount(from),
      getFeeData: async () => ({
        gasPrice: null,
        maxFeePerGas: 2n * this.baseFee + this.tip,
        maxPriorityFeePerGas: this.tip,
      }),
      getTransaction: async (hash: string) =>
        this.isPending(hash) || this.receipts.has(hash) ? { hash } : null,
      getTransactionReceipt: async (hash: string) => {
        if (this.autoMine) this.mine();
        return this.receipts.get(hash) ?? null;
      },
      broadcastTransaction: async (raw: string) => {
        this.broadcast(raw);
        return { hash: Transaction.from(raw).hash };
      },
    };
    return provider as unknown as Provider;
  }
}
