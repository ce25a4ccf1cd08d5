/**
 * The matcher's HTTP API vocabulary (docs/matcher.md), shared by the matcher (`keepers/matcher/`)
 * and its clients: error codes, order and fill statuses, and the EIP-712 `CancelOrder` message and
 * domain.
 */
import { getAddress, type TypedDataDomain, type TypedDataField } from "ethers";
import type { TypedDataSigner } from "./orders.js";

// ------------------------------------------------------------------ wire vocabulary

/** The API's error codes (`{error: {code, message}}`), as listed in docs/matcher.md. */
export const MATCHER_ERROR_CODES = [
  "MALFORMED_REQUEST",
  "INVALID_FIELD",
  "MALFORMED_ORDER",
  "UNKNOWN_MARKET",
  "MARKET_HALTED",
  "EPOCH_MISMATCH",
  "OFF_TICK",
  "OFF_STEP",
  "BELOW_MIN_SIZE",
  "EXPIRED",
  "BAD_SIGNATURE",
  "SIGNER_NOT_AUTHORIZED",
  "ORDER_CANCELLED",
  "ORDER_FILLED",
  "POST_ONLY_WOULD_CROSS",
  "DUPLICATE_ORDER",
  "NOT_FOUND",
  "NOT_CANCELLED_ON_CHAIN",
  "BODY_TOO_LARGE",
  "METHOD_NOT_ALLOWED",
  "SHUTTING_DOWN",
  "INTERNAL",
] as const;
export type MatcherErrorCode = (typeof MATCHER_ERROR_CODES)[number];

/** An order's status in the matcher. Every status but `open` is final. */
export const MATCHER_ORDER_STATUSES = ["open", "filled", "cancelled", "expired", "rejected"] as const;
export type MatcherOrderStatus = (typeof MATCHER_ORDER_STATUSES)[number];

/** A fill's status: matched (`queued`) → in a batch (`submitted`) → `settled` | `skipped` on chain. */
export const MATCHER_FILL_STATUSES = ["queued", "submitted", "settled", "skipped"] as const;
export type MatcherFillStatus = (typeof MATCHER_FILL_STATUSES)[number];

/**
 * The EIP-712 domain of matcher messages. It is not the clearinghouse's domain (same chain id and
 * verifying contract, another name), so a signed cancel can never be replayed as an order.
 */
export const CANCEL_DOMAIN_NAME = "Sundial Matcher";
export const CANCEL_DOMAIN_VERSION = "1";

/** `CancelOrder(bytes32 orderHash,uint64 deadline)`. */
export const CANCEL_TYPES: Record<string, TypedDataField[]> = {
  CancelOrder: [
    { name: "orderHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

/** An off-chain cancel of `orderHash`, valid until `deadline` (unix seconds). */
export interface CancelRequest {
  orderHash: string;
  deadline: bigint;
}

/** The matcher's EIP-712 domain on `chainId` for the clearinghouse at `clearinghouse`. */
export function cancelDomain(chainId: bigint, clearinghouse: string): TypedDataDomain {
  return {
    name: CANCEL_DOMAIN_NAME,
    version: CANCEL_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(clearinghouse),
  };
}

/** Signs a `CancelOrder` (by the order's owner or signer) for `MatcherClient.cancelOrder`. */
export function signCancel(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  request: CancelRequest,
): Promise<string> {
  return signer.signTypedData(domain, CANCEL_TYPES, { ...request });
}
