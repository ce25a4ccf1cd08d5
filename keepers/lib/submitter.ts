/**
 * Transaction submission for keepers. `TxSubmitter` simulates a call (`eth_call` from the sender)
 * and estimates its gas before anything is signed, signs locally, hands the signed transaction to
 * the caller (`onSigned`, e.g. to persist it) BEFORE broadcasting, then broadcasts and waits for
 * the receipt. RPC failures are retried a bounded number of times with exponential backoff; a nonce
 * conflict re-reads the account's nonce and re-signs (only after checking that the earlier
 * transaction was not mined, so an action is never executed twice).
 */
import { Transaction, isError, type Provider, type TransactionReceipt, type Wallet } from "ethers";
import type { Logger } from "./logger.js";

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
}

export interface SubmitHooks {
  /** Called with each signed transaction before it is broadcast (a nonce conflict can sign again). */
  onSigned?: (tx: SignedTx) => void | Promise<void>;
}

/** What a keeper needs from a submitter (a fake implements it in tests). */
export interface Submitter {
  readonly address: string;
  /** `eth_call` from the sender: the call's return data, or throws `SimulationError` on revert. */
  simulate(req: TxRequest): Promise<string>;
  /** Simulates, signs, broadcasts, waits; resolves with the receipt (status 0 or 1). */
  submit(req: TxRequest, hooks?: SubmitHooks): Promise<TransactionReceipt>;
  /** Receipt of a transaction sent earlier (restart), or null if the node does not know it as mined. */
  receipt(hash: string): Promise<TransactionReceipt | null>;
  /** Whether the node knows the transaction (pending or mined). */
  isKnown(hash: string): Promise<boolean>;
  /** Broadcasts a previously signed transaction again and waits for its receipt. */
  rebroadcast(raw: string): Promise<TransactionReceipt>;
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

export interface WalletSubmitterOptions {
  retry?: RetryOptions;
  /** Gas limit = estimate × gasMultiplierBps / 10,000 (headroom for state changes between estimate and inclusion). */
  gasMultiplierBps?: number;
  /** How long to wait for a receipt before giving up (the transaction may still be mined later). */
  receiptTimeoutMs?: number;
  receiptPollMs?: number;
}

/** Extracts revert data from an ethers CALL_EXCEPTION. */
function revertData(err: unknown): string | undefined {
  const data = (err as { data?: unknown } | null)?.data;
  return typeof data === "string" ? data : undefined;
}

export class WalletSubmitter implements Submitter {
  private nextNonce: number | undefined;
  private readonly retry: RetryOptions;
  private readonly gasMultiplierBps: bigint;
  private readonly receiptTimeoutMs: number;
  private readonly receiptPollMs: number;

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
      const signed = await this.sign(req, gasLimit);
      await hooks.onSigned?.(signed);
      try {
        await this.broadcast(signed.raw);
        this.nextNonce = signed.nonce + 1;
        return await this.waitForReceipt(signed.hash);
      } catch (err) {
        if (!isNonceConflict(err) || conflicts + 1 >= this.retry.attempts) throw err;
        // The nonce is taken. If OUR transaction took it, it is mined: return its receipt. Otherwise it
        // can never be mined (its nonce is consumed), so signing again with a fresh nonce is safe.
        const mined = await this.receipt(signed.hash);
        if (mined) return mined;
        this.logger.warn("nonce conflict, re-signing", { nonce: signed.nonce, hash: signed.hash });
        this.nextNonce = undefined;
      }
    }
  }

  receipt(hash: string): Promise<TransactionReceipt | null> {
    return withRetries(
      "eth_getTransactionReceipt",
      () => this.provider.getTransactionReceipt(hash),
      this.logger,
      this.retry,
    );
  }

  async isKnown(hash: string): Promise<boolean> {
    const tx = await withRetries(
      "eth_getTransactionByHash",
      () => this.provider.getTransaction(hash),
      this.logger,
      this.retry,
    );
    return tx !== null;
  }

  async rebroadcast(raw: string): Promise<TransactionReceipt> {
    await this.broadcast(raw);
    return this.waitForReceipt(Transaction.from(raw).hash ?? "");
  }

  private async sign(req: TxRequest, gasLimit: bigint): Promise<SignedTx> {
    const [pendingNonce, fees, network] = await withRetries(
      "tx parameters",
      () =>
        Promise.all([
          this.provider.getTransactionCount(this.address, "pending"),
          this.provider.getFeeData(),
          this.provider.getNetwork(),
        ]),
      this.logger,
      this.retry,
    );
    const nonce = Math.max(pendingNonce, this.nextNonce ?? 0);
    const tx = Transaction.from({
      type: 2,
      chainId: network.chainId,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      nonce,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 0n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    });
    const raw = await this.wallet.signTransaction(tx);
    return { hash: Transaction.from(raw).hash ?? "", nonce, raw };
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

  private async waitForReceipt(hash: string): Promise<TransactionReceipt> {
    const deadline = Date.now() + this.receiptTimeoutMs;
    for (;;) {
      const receipt = await this.receipt(hash);
      if (receipt) return receipt;
      if (Date.now() >= deadline)
        throw new SubmissionError(`no receipt for ${hash} after ${this.receiptTimeoutMs} ms`);
      await sleep(this.receiptPollMs);
    }
  }
}
