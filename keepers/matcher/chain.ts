/**
 * What the matcher reads from and writes to the chain, behind one interface (`MatcherChain`) so that
 * the engine and its tests do not depend on a node. `EthersMatcherChain` implements it with the
 * TypeChain bindings of `IClearinghouse`, `IMarketRegistry`, `IOracleAdapter` and `ICollateralVault`.
 */
import { Contract, type Log, type Provider, type TransactionReceipt } from "ethers";
import type { Order } from "../../sdk/orders.js";
import {
  IClearinghouse__factory,
  ICollateralVault__factory,
  IMarketRegistry__factory,
  IOracleAdapter__factory,
} from "../../typechain-types/index.js";
import type { IClearinghouse } from "../../typechain-types/index.js";

/** `MarketStatus` (contracts/types/Market.sol). */
export const MARKET_STATUS = ["ACTIVE", "REDUCE_ONLY", "HALTED", "SETTLED"] as const;

/** `SkipReason` (contracts/types/Clearinghouse.sol), by numeric value. Append only. */
export const SKIP_REASONS = [
  "MARKET_MISMATCH",
  "SAME_SIDE",
  "SELF_TRADE",
  "UNKNOWN_MARKET",
  "INVALID_FILL_SIZE",
  "MAKER_INVALID",
  "TAKER_INVALID",
  "TAKER_POST_ONLY",
  "MAKER_EXPIRED",
  "TAKER_EXPIRED",
  "MAKER_CANCELLED",
  "TAKER_CANCELLED",
  "MAKER_OVERFILL",
  "TAKER_OVERFILL",
  "MAKER_EPOCH_MISMATCH",
  "TAKER_EPOCH_MISMATCH",
  "TAKER_LIMIT_PRICE",
  "MARKET_SETTLED",
  "MARKET_HALTED",
  "PRICE_OUTSIDE_FILL_BAND",
  "PRICE_OUTSIDE_ORACLE_BAND",
  "MAKER_SIGNATURE",
  "TAKER_SIGNATURE",
  "MAKER_REDUCE_ONLY",
  "TAKER_REDUCE_ONLY",
  "MARKET_REDUCE_ONLY",
  "POSITION_LIMIT",
  "OPEN_INTEREST_CAP",
  "MAKER_TOO_MANY_MARKETS",
  "TAKER_TOO_MANY_MARKETS",
  "MAKER_MARGIN",
  "TAKER_MARGIN",
] as const;

export type SkipReasonName = (typeof SKIP_REASONS)[number] | `UNKNOWN_${number}`;

export function skipReasonName(reason: number): SkipReasonName {
  return SKIP_REASONS[reason] ?? `UNKNOWN_${reason}`;
}

/** A market as the matcher needs it: the registry's configuration and the oracle's epoch. */
export interface MarketInfo {
  listed: boolean;
  status: (typeof MARKET_STATUS)[number];
  tickSizeX18: bigint;
  stepSizeX18: bigint;
  minOrderSizeX18: bigint;
  epoch: bigint;
}

/** One match of a batch as sent to `settleMatches`. */
export interface MatchCall {
  maker: Order;
  makerSignature: string;
  taker: Order;
  takerSignature: string;
  fillSizeX18: bigint;
}

/** The outcome of one match of a batch, by its index in the batch. */
export type MatchOutcome =
  { index: number; settled: true } | { index: number; settled: false; reason: SkipReasonName };

/** Cancellations on chain, in block order. */
export type ChainCancellation =
  | { kind: "hash"; orderHash: string; owner: string }
  | { kind: "floor"; owner: string; newFloor: bigint }
  | { kind: "nonces"; owner: string; wordIndex: bigint; mask: bigint };

export interface OrderChainState {
  cancelled: boolean;
  nonceUsed: boolean;
  nonceFloor: bigint;
  filledX18: bigint;
}

export interface MatcherChain {
  readonly chainId: bigint;
  readonly clearinghouse: string;
  market(marketId: string): Promise<MarketInfo>;
  /** Whether `address` has contract code (its signatures are checked with ERC-1271). */
  hasCode(address: string): Promise<boolean>;
  /** ERC-1271 `isValidSignature(digest, signature) == 0x1626ba7e` (false if the call fails). */
  isValidContractSignature(signer: string, digest: string, signature: string): Promise<boolean>;
  /** Whether `operator` may trade for `owner` (vault operators). */
  isOperator(owner: string, operator: string): Promise<boolean>;
  orderState(owner: string, nonce: bigint, orderHash: string): Promise<OrderChainState>;
  /** Calldata of `settleMatches(matches)`. */
  encodeSettleMatches(matches: readonly MatchCall[]): string;
  /** The per-match outcomes of a `settleMatches` receipt (`MatchSettled` / `MatchSkipped`). */
  parseSettlement(receipt: TransactionReceipt): MatchOutcome[];
  /** The latest block number. */
  blockNumber(): Promise<number>;
  /** Cancellation events in blocks [fromBlock, toBlock]. */
  cancellations(fromBlock: number, toBlock: number): Promise<ChainCancellation[]>;
}

const ERC1271_MAGIC = "0x1626ba7e";
const ERC1271_ABI = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];

export interface EthersMatcherChainOptions {
  /** How long a market's configuration is cached (parameters change rarely, epochs at splits). */
  marketCacheMs?: number;
}

export class EthersMatcherChain implements MatcherChain {
  private readonly ch: IClearinghouse;
  private readonly marketCache = new Map<string, { at: number; info: MarketInfo }>();
  private readonly marketCacheMs: number;

  private constructor(
    private readonly provider: Provider,
    readonly chainId: bigint,
    readonly clearinghouse: string,
    private readonly registry: string,
    private readonly oracle: string,
    private readonly vault: string,
    options: EthersMatcherChainOptions,
  ) {
    this.ch = IClearinghouse__factory.connect(clearinghouse, provider);
    this.marketCacheMs = options.marketCacheMs ?? 5_000;
  }

  /** Reads the registry, oracle and vault addresses from the clearinghouse. */
  static async connect(
    provider: Provider,
    clearinghouse: string,
    options: EthersMatcherChainOptions = {},
  ): Promise<EthersMatcherChain> {
    const ch = IClearinghouse__factory.connect(clearinghouse, provider);
    const [network, registry, oracle, vault] = await Promise.all([
      provider.getNetwork(),
      ch.registry(),
      ch.oracle(),
      ch.vault(),
    ]);
    return new EthersMatcherChain(provider, network.chainId, clearinghouse, registry, oracle, vault, options);
  }

  async market(marketId: string): Promise<MarketInfo> {
    const cached = this.marketCache.get(marketId);
    if (cached && Date.now() - cached.at < this.marketCacheMs) return cached.info;
    const registry = IMarketRegistry__factory.connect(this.registry, this.provider);
    const config = await registry.marketConfig(marketId);
    let epoch = 0n;
    if (config.listed) {
      const state = await IOracleAdapter__factory.connect(this.oracle, this.provider).priceState(marketId);
      epoch = state.epoch;
    }
    const info: MarketInfo = {
      listed: config.listed,
      status: MARKET_STATUS[Number(config.status)] ?? "HALTED",
      tickSizeX18: config.tickSizeX18,
      stepSizeX18: config.stepSizeX18,
      minOrderSizeX18: config.minOrderSizeX18,
      epoch,
    };
    this.marketCache.set(marketId, { at: Date.now(), info });
    return info;
  }

  async hasCode(address: string): Promise<boolean> {
    return (await this.provider.getCode(address)) !== "0x";
  }

  async isValidContractSignature(signer: string, digest: string, signature: string): Promise<boolean> {
    try {
      const wallet = new Contract(signer, ERC1271_ABI, this.provider);
      const magic = (await wallet.getFunction("isValidSignature").staticCall(digest, signature)) as string;
      return magic.toLowerCase() === ERC1271_MAGIC;
    } catch {
      return false;
    }
  }

  isOperator(owner: string, operator: string): Promise<boolean> {
    return ICollateralVault__factory.connect(this.vault, this.provider).isOperator(owner, operator);
  }

  async orderState(owner: string, nonce: bigint, orderHash: string): Promise<OrderChainState> {
    const [cancelled, nonceUsed, nonceFloor, filledX18] = await Promise.all([
      this.ch.isCancelled(orderHash),
      this.ch.isNonceUsed(owner, nonce),
      this.ch.nonceFloor(owner),
      this.ch.filledX18(orderHash),
    ]);
    return { cancelled, nonceUsed, nonceFloor, filledX18 };
  }

  encodeSettleMatches(matches: readonly MatchCall[]): string {
    return this.ch.interface.encodeFunctionData("settleMatches", [matches.map((m) => ({ ...m }))]);
  }

  parseSettlement(receipt: TransactionReceipt): MatchOutcome[] {
    const outcomes: MatchOutcome[] = [];
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.clearinghouse.toLowerCase()) continue;
      const parsed = this.ch.interface.parseLog(log);
      if (parsed?.name === "MatchSettled") {
        outcomes.push({ index: Number(parsed.args[0]), settled: true });
      } else if (parsed?.name === "MatchSkipped") {
        outcomes.push({
          index: Number(parsed.args[0]),
          settled: false,
          reason: skipReasonName(Number(parsed.args[3])),
        });
      }
    }
    return outcomes;
  }

  blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async cancellations(fromBlock: number, toBlock: number): Promise<ChainCancellation[]> {
    const topics = [
      this.ch.interface.getEvent("OrderCancelled").topicHash,
      this.ch.interface.getEvent("NonceFloorRaised").topicHash,
      this.ch.interface.getEvent("NoncesInvalidated").topicHash,
    ];
    const logs: Log[] = await this.provider.getLogs({
      address: this.clearinghouse,
      fromBlock,
      toBlock,
      topics: [topics],
    });
    const out: ChainCancellation[] = [];
    for (const log of logs) {
      const parsed = this.ch.interface.parseLog(log);
      if (parsed?.name === "OrderCancelled") {
        out.push({ kind: "hash", orderHash: parsed.args[0] as string, owner: parsed.args[1] as string });
      } else if (parsed?.name === "NonceFloorRaised") {
        out.push({ kind: "floor", owner: parsed.args[0] as string, newFloor: parsed.args[1] as bigint });
      } else if (parsed?.name === "NoncesInvalidated") {
        out.push({
          kind: "nonces",
          owner: parsed.args[0] as string,
          wordIndex: parsed.args[1] as bigint,
          mask: parsed.args[2] as bigint,
        });
      }
    }
    return out;
  }
}
