/**
 * Transaction submission for keepers. `WalletSubmitter` simulates a call (`eth_call` from the
 * sender) and estimates its gas before anything is signed, signs locally, hands each signed
 * transaction to the caller (`onSigned`, e.g. to persist it) BEFORE broadcasting it, then broadcasts
 * and waits for the receipt. RPC failures are retried a bounded number of times with exponential
 * backoff.
 *
 * **Stuck transactions** are replaced: one not mined `replaceAfterMs` after it was sent is signed
 * again with the same nonce and EIP-1559 fees raised by at least `bumpBps` (12.5 % by default, which
 * every node accepts as a replacement) or to the market's fees if higher, never above
 * `maxFeePerGasCap`. Every transaction signed for the nonce is handed to `onSigned` and watched:
 * whichever is mined is the answer (one nonce executes once, so the action runs at most once).
 * `resume` does the same for transactions signed before a restart.
 *
 * **Nonce conflicts** (the nonce was used by another transaction) re-read the account's nonce and
 * re-sign, only after checking that none of the transactions sent for the nonce was mined.
 */
import {
  Transaction,
  isError,
  parseUnits,
  type Provider,
  type TransactionReceipt,
  type Wallet,
} from "ethers";
import type { Logger } from "./logger.js";
import { type Counter, MetricsRegistry } from "./metrics.js";

export interface TxRequest {
  to: string;
  data: string;
  /** Wei sent with the call (e.g. Pyth's update fee); none when absent. */
  value?: bigint;
}

export interface SignedTx {
  hash: string;
  nonce: number;
  raw: string;
  /** When it was signed (ms since the epoch): a replacement is due `replaceAfterMs` later. */
  signedAt: number;
}

export interface SubmitHooks {
  /**
   * Called with each signed transaction before it is broadcast: the first, each replacement (same
   * nonce, higher fees) and, after a nonce conflict, the one signed with a new nonce.
   */
  onSigned?: (tx: SignedTx) => void | Promise<void>;
}

/** Where transactions signed earlier (`resume`) stand. */
export type Resumed =
  /** One of them was mined (status 0 or 1). */
  | { kind: "mined"; receipt: TransactionReceipt }
  /** Still in the node's mempool; `replacement` if a fee bump was sent just now. */
  | { kind: "pending"; replacement: SignedTx | undefined }
  /** Another transaction used their nonce: none of them can ever be mined. */
  | { kind: "nonce_taken" };

/** What a keeper needs from a submitter (a fake implements it in tests). */
export interface Submitter {
  readonly address: string;
  /** `eth_call` from the sender: the call's return data, or throws `SimulationError` on revert. */
  simulate(req: TxRequest): Promise<string>;
  /**
   * Simulates, signs, broadcasts and waits, replacing the transaction with higher fees while it is
   * not mined; resolves with the receipt of whichever was mined (status 0 or 1).
   * @throws SimulationError (nothing was signed), SubmissionError (no receipt in time: a signed
   * transaction may still be mined; `resume` it later) or an RPC error.
   */
  submit(req: TxRequest, hooks?: SubmitHooks): Promise<TransactionReceipt>;
  /**
   * Takes up every transaction signed for one action before (e.g. a restart or a receipt timeout),
   * oldest first: if one is mined, its receipt; if the node still has one, pending (replaced with
   * higher fees when the latest is `replaceAfterMs` old); if the node has none, the latest is
   * broadcast again byte for byte and awaited like a submission.
   */
  resume(sent: readonly SignedTx[], hooks?: SubmitHooks): Promise<Resumed>;
}

/** The call reverted in simulation; `data` is the revert data (decode it with the contract's interface). */
export class SimulationError extends Error {
  override readonly name = "SimulationError";
  constructor(
    message: string,
    readonly data: string | undefined,
  ) {
    super(message);
  }
}

/** A transaction could not be sent or confirmed within the retry budget. */
export class SubmissionError extends Error {
  override readonly name = "SubmissionError";
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Transport-level failures worth retrying (the request may not have reached the node). */
export function isRetryableRpcError(err: unknown): boolean {
  if (isError(err, "NETWORK_ERROR") || isError(err, "TIMEOUT") || isError(err, "SERVER_ERROR")) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"].includes(code)) {
    return true;
  }
  const message = err instanceof Error ? err.message.toLowerCase() : "";
  return message.includes("rate limit") || message.includes("429") || message.includes("socket hang up");
}

/** The node refused a replacement because its fees are not enough higher than the pending one's. */
export function isReplacementUnderpriced(err: unknown): boolean {
  if (isError(err, "REPLACEMENT_UNDERPRICED")) return true;
  const message = err instanceof Error ? err.message.toLowerCase() : "";
  return (
    (message.includes("replacement") && message.includes("underpriced")) ||
    message.includes("replacement fee too low")
  );
}

/** The node refused the transaction because its nonce was already used. */
export function isNonceConflict(err: unknown): boolean {
  if (isError(err, "NONCE_EXPIRED") || isError(err, "REPLACEMENT_UNDERPRICED")) return true;
  const message = err instanceof Error ? err.message.toLowerCase() : "";
  return message.includes("nonce too low") || message.includes("nonce has already been used");
}

/** The node already has exactly this transaction. */
export function isAlreadyKnown(err: unknown): boolean {
  const message = err instanceof Error ? err.message.toLowerCase() : "";
  return message.includes("already known") || message.includes("known transaction");
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn`, retrying retryable RPC errors up to `attempts` times with capped exponential backoff. */
export async function withRetries<T>(
  what: string,
  fn: () => Promise<T>,
  logger: Logger,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryableRpcError(err) || attempt >= options.attempts) throw err;
      const delayMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      logger.warn("rpc error, retrying", { what, attempt, delayMs, err });
      await sleep(delayMs);
    }
  }
}

/** EIP-1559 fees of a transaction. */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface FeeBumpOptions {
  /** A transaction not mined this long after it was sent is replaced (same nonce, higher fees). */
  replaceAfterMs: number;
  /** Each replacement raises both fees by at least this much, in basis points (≥ 1,250: 12.5 %). */
  bumpBps: number;
  /** No transaction is signed with a higher `maxFeePerGas` (wei), the first one included. */
  maxFeePerGasCap: bigint;
}

/** Nodes refuse a replacement that does not raise both fees by 10 % (geth, EDR) or 12.5 % (others). */
export const MIN_FEE_BUMP_BPS = 1_250;

export const DEFAULT_FEE_BUMP: FeeBumpOptions = {
  replaceAfterMs: 30_000,
  bumpBps: MIN_FEE_BUMP_BPS,
  maxFeePerGasCap: parseUnits("500", "gwei"),
};

/** `fee` raised by `bumpBps`, rounded up, and by at least 1 wei (a zero tip must rise too). */
export function bumpedFee(fee: bigint, bumpBps: number): bigint {
  const raised = (fee * BigInt(10_000 + bumpBps) + 9_999n) / 10_000n;
  return raised > fee ? raised : fee + 1n;
}

/** The fees of a first transaction: the market's, capped (a tip never exceeds the fee cap). */
export function initialFees(market: Fees, cap: bigint): Fees {
  const maxFeePerGas = market.maxFeePerGas < cap ? market.maxFeePerGas : cap;
  const tip = market.maxPriorityFeePerGas;
  return { maxFeePerGas, maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas };
}

/**
 * The fees of a replacement of a transaction with fees `previous`: each raised by `bumpBps`, or the
 * market's if higher, the fee cap at least the tip, and `maxFeePerGas` at most `cap`. Null when the
 * cap leaves no room for a replacement the node would accept.
 */
export function replacementFees(previous: Fees, market: Fees, bumpBps: number, cap: bigint): Fees | null {
  const minMaxFee = bumpedFee(previous.maxFeePerGas, bumpBps);
  const minTip = bumpedFee(previous.maxPriorityFeePerGas, bumpBps);
  let tip = market.maxPriorityFeePerGas > minTip ? market.maxPriorityFeePerGas : minTip;
  let maxFee = market.maxFeePerGas > minMaxFee ? market.maxFeePerGas : minMaxFee;
  if (tip > maxFee) maxFee = tip;
  if (maxFee > cap) maxFee = cap;
  if (tip > maxFee) tip = maxFee;
  if (maxFee < minMaxFee || tip < minTip) return null;
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
}

export interface WalletSubmitterOptions {
  retry?: RetryOptions;
  /** Gas limit = estimate × gasMultiplierBps / 10,000 (headroom for state changes between estimate and inclusion). */
  gasMultiplierBps?: number;
  /** How long `submit` waits for a receipt before giving up (a signed transaction may still be mined). */
  receiptTimeoutMs?: number;
  receiptPollMs?: number;
  /** Replacement of stuck transactions (defaults: `DEFAULT_FEE_BUMP`). */
  feeBump?: Partial<FeeBumpOptions>;
  /** Where the submitter's metrics are registered (`tx_replacements_total`, `tx_mined_total`). */
  metrics?: MetricsRegistry;
}

/** Extracts revert data from an ethers CALL_EXCEPTION. */
function revertData(err: unknown): string | undefined {
  const data = (err as { data?: unknown } | null)?.data;
  return typeof data === "string" ? data : undefined;
}

function feesOf(tx: Transaction): Fees {
  return { maxFeePerGas: tx.maxFeePerGas ?? 0n, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n };
}

export class WalletSubmitter implements Submitter {
  private nextNonce: number | undefined;
  private readonly retry: RetryOptions;
  private readonly gasMultiplierBps: bigint;
  private readonly receiptTimeoutMs: number;
  private readonly receiptPollMs: number;
  private readonly feeBump: FeeBumpOptions;
  /** When a replacement may next be tried for a transaction that could not be replaced (by hash). */
  private readonly heldUntil = new Map<string, number>();
  private readonly m: { replacements: Counter; mined: Counter };

  constructor(
    private readonly wallet: Wallet,
    private readonly provider: Provider,
    private readonly logger: Logger,
    options: WalletSubmitterOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.gasMultiplierBps = BigInt(options.gasMultiplierBps ?? 12_000);
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.receiptPollMs = options.receiptPollMs ?? 250;
    this.feeBump = { ...DEFAULT_FEE_BUMP, ...options.feeBump };
    if (!Number.isInteger(this.feeBump.bumpBps) || this.feeBump.bumpBps < MIN_FEE_BUMP_BPS) {
      throw new RangeError(
        `feeBump.bumpBps must be an integer ≥ ${MIN_FEE_BUMP_BPS}, got ${this.feeBump.bumpBps}`,
      );
    }
    if (this.feeBump.maxFeePerGasCap <= 0n) {
      throw new RangeError(`feeBump.maxFeePerGasCap must be positive, got ${this.feeBump.maxFeePerGasCap}`);
    }
    const metrics = options.metrics ?? new MetricsRegistry();
    this.m = {
      replacements: metrics.counter(
        "tx_replacements_total",
        "fee-bumped replacements of stuck transactions by outcome (sent, refused by the node, fee_cap reached)",
      ),
      mined: metrics.counter(
        "tx_mined_total",
        "transactions mined, by attempt (first: as first sent; replacement: a fee-bumped replacement)",
      ),
    };
  }

  get address(): string {
    return this.wallet.address;
  }

  async simulate(req: TxRequest): Promise<string> {
    try {
      return await withRetries(
        "eth_call",
        () => this.provider.call({ from: this.address, to: req.to, data: req.data, value: req.value ?? 0n }),
        this.logger,
        this.retry,
      );
    } catch (err) {
      if (isError(err, "CALL_EXCEPTION")) throw new SimulationError(err.shortMessage, revertData(err));
      throw err;
    }
  }

  async submit(req: TxRequest, hooks: SubmitHooks = {}): Promise<TransactionReceipt> {
    await this.simulate(req);
    const estimate = await withRetries(
      "eth_estimateGas",
      () =>
        this.provider.estimateGas({ from: this.address, to: req.to, data: req.data, value: req.value ?? 0n }),
      this.logger,
      this.retry,
    );
    const gasLimit = (estimate * this.gasMultiplierBps) / 10_000n;
    for (let conflicts = 0; ; conflicts++) {
      const first = await this.signNew(req, gasLimit);
      const sent = [first];
      await hooks.onSigned?.(first);
      try {
        await this.broadcast(first.raw);
        this.nextNonce = first.nonce + 1;
        return await this.follow(sent, hooks);
      } catch (err) {
        if (!isNonceConflict(err) || conflicts + 1 >= this.retry.attempts) throw err;
        // The nonce is taken. If one of OUR transactions took it, it is mined: return its receipt.
        // Otherwise none of them can ever be mined, so signing again with a fresh nonce is safe.
        const mined = await this.minedAfterConflict(sent);
        if (mined) return mined;
        this.logger.warn("nonce conflict, re-signing", {
          nonce: first.nonce,
          hashes: sent.map((t) => t.hash),
        });
        this.nextNonce = undefined;
      }
    }
  }

  async resume(sent: readonly SignedTx[], hooks: SubmitHooks = {}): Promise<Resumed> {
    const latest = sent.at(-1);
    if (latest === undefined) throw new RangeError("resume needs at least one signed transaction");
    const mined = await this.minedReceipt(sent);
    if (mined) return { kind: "mined", receipt: mined };
    // Earlier nonces of the action (before a nonce conflict) are dead; the latest nonce's are live.
    const live = sent.filter((t) => t.nonce === latest.nonce);
    if (await this.anyKnown(live)) {
      return { kind: "pending", replacement: await this.replaceIfDue(live, hooks) };
    }
    // The node has none of them (it restarted, or dropped them): the latest again, byte for byte.
    try {
      this.logger.warn("rebroadcasting a transaction the node does not have", {
        nonce: latest.nonce,
        hash: latest.hash,
      });
      await this.broadcast(latest.raw);
    } catch (err) {
      if (!isNonceConflict(err)) throw err;
      const late = await this.minedAfterConflict(sent);
      return late ? { kind: "mined", receipt: late } : { kind: "nonce_taken" };
    }
    return { kind: "mined", receipt: await this.follow([...live], hooks) };
  }

  /**
   * Waits until one of `sent` (one nonce, oldest first) is mined, replacing the latest with higher
   * fees whenever it is `replaceAfterMs` old. Replacements are appended to `sent`.
   * @throws SubmissionError after `receiptTimeoutMs` without a receipt.
   */
  private async follow(sent: SignedTx[], hooks: SubmitHooks): Promise<TransactionReceipt> {
    const deadline = Date.now() + this.receiptTimeoutMs;
    for (;;) {
      const receipt = await this.minedReceipt(sent);
      if (receipt) return receipt;
      if (Date.now() >= deadline) {
        throw new SubmissionError(
          `no receipt for nonce ${sent[0]!.nonce} (${sent.map((t) => t.hash).join(", ")}) after ` +
            `${this.receiptTimeoutMs} ms`,
        );
      }
      await this.replaceIfDue(sent, hooks);
      await sleep(this.receiptPollMs);
    }
  }

  /**
   * Replaces the latest of `sent` (one nonce) when it is `replaceAfterMs` old: same nonce, call and
   * gas limit, fees from `replacementFees`; handed to `onSigned`, appended to `sent`, then broadcast.
   * Returns the replacement, or undefined when none is due, the cap leaves no room, or the node
   * refused it as underpriced (the next one is raised from it).
   */
  private async replaceIfDue(sent: SignedTx[], hooks: SubmitHooks): Promise<SignedTx | undefined> {
    const latest = sent.at(-1)!;
    const now = Date.now();
    if (now - latest.signedAt < this.feeBump.replaceAfterMs) return undefined;
    if ((this.heldUntil.get(latest.hash) ?? 0) > now) return undefined;
    const previous = Transaction.from(latest.raw);
    if (previous.from?.toLowerCase() !== this.address.toLowerCase()) {
      this.logger.warn("not replacing a transaction signed by another key", {
        hash: latest.hash,
        from: previous.from,
      });
      this.holdReplacement(latest.hash, now);
      return undefined;
    }
    const minedNonce = await withRetries(
      "eth_getTransactionCount",
      () => this.provider.getTransactionCount(this.address, "latest"),
      this.logger,
      this.retry,
    );
    if (latest.nonce !== minedNonce) {
      // Behind an earlier nonce still pending (higher fees would not move it), or its nonce was just
      // used (the next receipt poll or broadcast tells by whom): nothing to replace now.
      this.logger.debug("not replacing: not the next nonce to be mined", { nonce: latest.nonce, minedNonce });
      this.holdReplacement(latest.hash, now);
      return undefined;
    }
    const market = await this.marketFees();
    const fees = replacementFees(
      feesOf(previous),
      market,
      this.feeBump.bumpBps,
      this.feeBump.maxFeePerGasCap,
    );
    if (fees === null) {
      this.holdReplacement(latest.hash, now);
      this.m.replacements.inc({ outcome: "fee_cap" });
      this.logger.warn("stuck transaction not replaced: fee cap reached", {
        nonce: latest.nonce,
        hash: latest.hash,
        maxFeePerGas: previous.maxFeePerGas,
        maxFeePerGasCap: this.feeBump.maxFeePerGasCap,
        marketMaxFeePerGas: market.maxFeePerGas,
      });
      return undefined;
    }
    const replacement = await this.signTx(
      {
        chainId: previous.chainId,
        to: previous.to,
        data: previous.data,
        value: previous.value,
        nonce: previous.nonce,
        gasLimit: previous.gasLimit,
      },
      fees,
    );
    await hooks.onSigned?.(replacement);
    sent.push(replacement);
    const fields = {
      nonce: replacement.nonce,
      replaces: latest.hash,
      hash: replacement.hash,
      attempt: sent.length,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    };
    try {
      await this.broadcast(replacement.raw);
    } catch (err) {
      if (!isReplacementUnderpriced(err)) throw err;
      this.m.replacements.inc({ outcome: "refused" });
      this.logger.warn("replacement refused as underpriced; the next one is raised from it", {
        ...fields,
        err,
      });
      return undefined;
    }
    this.m.replacements.inc({ outcome: "sent" });
    this.logger.info("stuck transaction replaced with higher fees", fields);
    return replacement;
  }

  /** No replacement of `hash` is tried for another `replaceAfterMs` (forgetting holds that expired). */
  private holdReplacement(hash: string, now: number): void {
    for (const [held, until] of this.heldUntil) if (until <= now) this.heldUntil.delete(held);
    this.heldUntil.set(hash, now + this.feeBump.replaceAfterMs);
  }

  /** The receipt of whichever of `sent` is mined (newest first), or null. */
  private async minedReceipt(sent: readonly SignedTx[]): Promise<TransactionReceipt | null> {
    for (let i = sent.length - 1; i >= 0; i--) {
      const tx = sent[i]!;
      const receipt = await this.receipt(tx.hash);
      if (receipt === null) continue;
      const replaced = sent.slice(0, i).some((t) => t.nonce === tx.nonce);
      this.m.mined.inc({ attempt: replaced ? "replacement" : "first" });
      if (sent.length > 1) {
        this.logger.info("transaction mined", {
          nonce: tx.nonce,
          hash: tx.hash,
          signed: sent.filter((t) => t.nonce === tx.nonce).length,
        });
      }
      return receipt;
    }
    return null;
  }

  /**
   * After the node said a nonce is used: the receipt of the one of `sent` that used it, looking a few
   * times (a node may refuse the nonce a moment before it serves the receipt), or null.
   */
  private async minedAfterConflict(sent: readonly SignedTx[]): Promise<TransactionReceipt | null> {
    for (let look = 0; look < 3; look++) {
      if (look > 0) await sleep(this.receiptPollMs);
      const mined = await this.minedReceipt(sent);
      if (mined) return mined;
    }
    return null;
  }

  private receipt(hash: string): Promise<TransactionReceipt | null> {
    return withRetries(
      "eth_getTransactionReceipt",
      () => this.provider.getTransactionReceipt(hash),
      this.logger,
      this.retry,
    );
  }

  private async anyKnown(sent: readonly SignedTx[]): Promise<boolean> {
    for (const tx of sent) {
      const found = await withRetries(
        "eth_getTransactionByHash",
        () => this.provider.getTransaction(tx.hash),
        this.logger,
        this.retry,
      );
      if (found !== null) return true;
    }
    return false;
  }

  private async marketFees(): Promise<Fees> {
    const fees = await withRetries("eth_feeData", () => this.provider.getFeeData(), this.logger, this.retry);
    return {
      maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 0n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    };
  }

  /** Signs `req` with the next nonce and the market's fees (capped). */
  private async signNew(req: TxRequest, gasLimit: bigint): Promise<SignedTx> {
    const [pendingNonce, network] = await withRetries(
      "tx parameters",
      () =>
        Promise.all([this.provider.getTransactionCount(this.address, "pending"), this.provider.getNetwork()]),
      this.logger,
      this.retry,
    );
    const fees = initialFees(await this.marketFees(), this.feeBump.maxFeePerGasCap);
    const nonce = Math.max(pendingNonce, this.nextNonce ?? 0);
    const call = {
      chainId: network.chainId,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      nonce,
      gasLimit,
    };
    return this.signTx(call, fees);
  }

  private async signTx(
    call: {
      chainId: bigint;
      to: string | null;
      data: string;
      value: bigint;
      nonce: number;
      gasLimit: bigint;
    },
    fees: Fees,
  ): Promise<SignedTx> {
    const tx = Transaction.from({ type: 2, ...call, ...fees });
    const raw = await this.wallet.signTransaction(tx);
    return { hash: Transaction.from(raw).hash ?? "", nonce: call.nonce, raw, signedAt: Date.now() };
  }

  private async broadcast(raw: string): Promise<void> {
    try {
      await withRetries(
        "eth_sendRawTransaction",
        () => this.provider.broadcastTransaction(raw),
        this.logger,
        this.retry,
      );
    } catch (err) {
      if (isAlreadyKnown(err)) return;
      throw err;
    }
  }
}
