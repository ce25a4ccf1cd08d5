/**
 * Request validation for the matcher: JSON → `Order` with strict field checks, then the checks the
 * clearinghouse would make at settlement that can be made up front — well-formed, known market,
 * epoch, tick / step / minimum size, not expired, EIP-712 signature (ECDSA recovered off-chain with
 * ethers, ERC-1271 asked on chain), signer is the owner or its vault operator, not cancelled or used
 * on chain. Every failure is a `RequestError` with a stable `code` (the API's `error.code`).
 */
import {
  TypedDataEncoder,
  encodeBytes32String,
  getAddress,
  isAddress,
  isHexString,
  verifyTypedData,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import {
  KNOWN_FLAGS,
  ORDER_TYPES,
  isWellFormed,
  orderDigest,
  orderDomain,
  orderToJson,
  remainingX18,
  type Order,
} from "../../sdk/orders.js";
import {
  CANCEL_DOMAIN_NAME,
  CANCEL_DOMAIN_VERSION,
  CANCEL_TYPES,
  cancelDomain,
  type CancelRequest,
  type MatcherErrorCode,
} from "../../sdk/matcher.js";
import type { MatcherChain } from "./chain.js";

/** The API's error codes (`{error: {code, message}}`): the SDK defines them (`sdk/matcher.ts`). */
export type ErrorCode = MatcherErrorCode;

/** The JSON form of an order, as accepted by `parseSignedOrder` (defined in `sdk/orders.ts`). */
export { orderToJson };

/** A rejected request: HTTP `status` and a JSON body `{error: {code, message}}`. */
export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const bad = (code: ErrorCode, message: string): RequestError => new RequestError(400, code, message);

/** A signed order as submitted. */
export interface SignedOrder {
  order: Order;
  signature: string;
}

const UINT_PATTERN = /^(0|[1-9]\d*)$/;
const MAX_UINT = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

function field(obj: Record<string, unknown>, name: string): unknown {
  if (!(name in obj)) throw bad("INVALID_FIELD", `order.${name} is missing`);
  return obj[name];
}

function parseAddress(obj: Record<string, unknown>, name: string): string {
  const v = field(obj, name);
  if (typeof v !== "string" || !isAddress(v))
    throw bad("INVALID_FIELD", `order.${name} must be a 0x address`);
  return getAddress(v);
}

/** Unsigned integers are decimal strings (JSON numbers lose precision above 2^53); small ones may be numbers. */
function parseUint(obj: Record<string, unknown>, name: string, bits: number): bigint {
  const v = field(obj, name);
  let n: bigint;
  if (typeof v === "string" && UINT_PATTERN.test(v)) n = BigInt(v);
  else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) n = BigInt(v);
  else throw bad("INVALID_FIELD", `order.${name} must be an unsigned integer as a decimal string`);
  if (n > MAX_UINT(bits)) throw bad("INVALID_FIELD", `order.${name} does not fit uint${bits}`);
  return n;
}

/** A bytes32 hex string, or a short name ("AAPL-USD") encoded like `encodeBytes32String`. */
function parseMarketId(obj: Record<string, unknown>): string {
  const v = field(obj, "marketId");
  if (typeof v !== "string") throw bad("INVALID_FIELD", "order.marketId must be a string");
  if (isHexString(v, 32)) return v.toLowerCase();
  if (v.startsWith("0x"))
    throw bad("INVALID_FIELD", "order.marketId must be 32 bytes of hex or a short name");
  try {
    return encodeBytes32String(v);
  } catch {
    throw bad("INVALID_FIELD", "order.marketId name is longer than 31 bytes");
  }
}

/** Parses `{order: {...}, signature: "0x..."}`. */
export function parseSignedOrder(body: unknown): SignedOrder {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad("MALFORMED_REQUEST", "body must be a JSON object {order, signature}");
  }
  const { order: raw, signature } = body as { order?: unknown; signature?: unknown };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw bad("MALFORMED_REQUEST", "order must be a JSON object");
  }
  if (typeof signature !== "string" || !isHexString(signature) || signature.length < 4) {
    throw bad("INVALID_FIELD", "signature must be a 0x hex string");
  }
  const o = raw as Record<string, unknown>;
  const isBuy = field(o, "isBuy");
  if (typeof isBuy !== "boolean") throw bad("INVALID_FIELD", "order.isBuy must be true or false");
  const order: Order = {
    owner: parseAddress(o, "owner"),
    subaccount: parseUint(o, "subaccount", 96),
    signer: parseAddress(o, "signer"),
    marketId: parseMarketId(o),
    isBuy,
    sizeX18: parseUint(o, "sizeX18", 256),
    limitPriceX18: parseUint(o, "limitPriceX18", 256),
    expiry: parseUint(o, "expiry", 64),
    nonce: parseUint(o, "nonce", 256),
    epoch: parseUint(o, "epoch", 64),
    flags: Number(parseUint(o, "flags", 8)),
  };
  return { order, signature: signature.toLowerCase() };
}

export interface ValidationContext {
  chain: MatcherChain;
  /** Unix seconds. */
  now: bigint;
  /** Orders must live at least this long past `now` (time to settle). */
  expiryMarginSec: bigint;
}

export interface ValidatedOrder extends SignedOrder {
  /** The order hash: the EIP-712 digest (`IClearinghouse.hashOrder`). */
  hash: string;
  /** Size already filled on chain (an order may arrive partially filled elsewhere). */
  filledOnChainX18: bigint;
}

function recoverSafely(
  domain: TypedDataDomain,
  types: Record<string, TypedDataField[]>,
  value: Record<string, unknown>,
  signature: string,
): string | undefined {
  try {
    return verifyTypedData(domain, types, value, signature);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signature` by `signer` over `digest` is valid: ECDSA recovery first (no RPC), then
 * ERC-1271 if `signer` is a contract.
 */
export async function isValidSignatureBy(
  chain: MatcherChain,
  signer: string,
  domain: TypedDataDomain,
  types: Record<string, TypedDataField[]>,
  value: Record<string, unknown>,
  signature: string,
): Promise<boolean> {
  const recovered = recoverSafely(domain, types, value, signature);
  if (recovered !== undefined && recovered === getAddress(signer)) return true;
  if (!(await chain.hasCode(signer))) return false;
  return chain.isValidContractSignature(signer, TypedDataEncoder.hash(domain, types, value), signature);
}

/** Every check of a new order; returns it with its hash, or throws `RequestError`. */
export async function validateOrder(signed: SignedOrder, ctx: ValidationContext): Promise<ValidatedOrder> {
  const { order, signature } = signed;
  if (!isWellFormed(order)) {
    const why =
      (order.flags & ~KNOWN_FLAGS) !== 0 ? `unknown flag bits ${order.flags}` : "size or price out of range";
    throw bad("MALFORMED_ORDER", `order is malformed: ${why}`);
  }
  if (order.expiry < ctx.now + ctx.expiryMarginSec) {
    throw bad(
      "EXPIRED",
      `order expires at ${order.expiry}, before now (${ctx.now}) + ${ctx.expiryMarginSec} s`,
    );
  }
  const market = await ctx.chain.market(order.marketId);
  if (!market.listed) throw bad("UNKNOWN_MARKET", `market ${order.marketId} is not listed`);
  if (market.status === "SETTLED") throw bad("MARKET_HALTED", `market ${order.marketId} is settled`);
  if (order.epoch !== market.epoch) {
    throw bad("EPOCH_MISMATCH", `order epoch ${order.epoch} is not the market's epoch ${market.epoch}`);
  }
  if (order.limitPriceX18 % market.tickSizeX18 !== 0n) {
    throw bad(
      "OFF_TICK",
      `limitPriceX18 ${order.limitPriceX18} is not a multiple of the tick ${market.tickSizeX18}`,
    );
  }
  if (order.sizeX18 % market.stepSizeX18 !== 0n) {
    throw bad("OFF_STEP", `sizeX18 ${order.sizeX18} is not a multiple of the step ${market.stepSizeX18}`);
  }
  if (order.sizeX18 < market.minOrderSizeX18) {
    throw bad("BELOW_MIN_SIZE", `sizeX18 ${order.sizeX18} is below the minimum ${market.minOrderSizeX18}`);
  }
  const domain = orderDomain(ctx.chain.chainId, ctx.chain.clearinghouse);
  const value = { ...order } as unknown as Record<string, unknown>;
  if (!(await isValidSignatureBy(ctx.chain, order.signer, domain, ORDER_TYPES, value, signature))) {
    throw bad("BAD_SIGNATURE", `signature is not ${order.signer}'s over this order and domain`);
  }
  if (order.signer !== order.owner && !(await ctx.chain.isOperator(order.owner, order.signer))) {
    throw new RequestError(
      403,
      "SIGNER_NOT_AUTHORIZED",
      `${order.signer} is not an operator of ${order.owner}`,
    );
  }
  const hash = orderDigest(domain, order);
  const state = await ctx.chain.orderState(order.owner, order.nonce, hash);
  if (state.cancelled || order.nonce < state.nonceFloor) {
    throw bad("ORDER_CANCELLED", `order ${hash} is cancelled on chain`);
  }
  // The first fill of an order uses its nonce: a used nonce cancels the order unless the order is
  // itself partially filled (an order invalidated after its first fill is skipped on chain).
  if (state.nonceUsed && state.filledX18 === 0n)
    throw bad("ORDER_CANCELLED", `nonce ${order.nonce} of ${order.owner} is used on chain`);
  if (remainingX18(order.sizeX18, state.filledX18) === 0n) {
    throw bad("ORDER_FILLED", `order ${hash} is already filled on chain`);
  }
  return { order, signature, hash, filledOnChainX18: state.filledX18 };
}

// ------------------------------------------------------------------ off-chain cancellation

// The `CancelOrder` message and the matcher's EIP-712 domain are defined by the SDK (sdk/matcher.ts).
export { CANCEL_DOMAIN_NAME, CANCEL_DOMAIN_VERSION, CANCEL_TYPES, cancelDomain, type CancelRequest };

/** Parses the optional DELETE body `{signature, deadline}`; undefined for an empty body. */
export function parseCancelBody(body: unknown): { signature: string; deadline: bigint } | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad("MALFORMED_REQUEST", "cancel body must be a JSON object {signature, deadline}");
  }
  const { signature, deadline } = body as { signature?: unknown; deadline?: unknown };
  if (typeof signature !== "string" || !isHexString(signature)) {
    throw bad("INVALID_FIELD", "signature must be a 0x hex string");
  }
  const d = typeof deadline === "number" ? String(deadline) : deadline;
  if (typeof d !== "string" || !UINT_PATTERN.test(d) || BigInt(d) > MAX_UINT(64)) {
    throw bad("INVALID_FIELD", "deadline must be a uint64 unix time");
  }
  return { signature: signature.toLowerCase(), deadline: BigInt(d) };
}
