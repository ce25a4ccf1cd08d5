/**
 * Signed orders of the Sundial clearinghouse (EIP-712), mirroring `contracts/types/Order.sol` and
 * `contracts/libraries/OrderLib.sol`. The struct hash and the signature are differential-tested
 * against the Solidity library (struct hash, digest, OpenZeppelin ECDSA recovery).
 *
 * Domain: name "Sundial Clearinghouse", version "1", the chain id and the clearinghouse address.
 */
import {
  TypedDataEncoder,
  getAddress,
  id,
  verifyTypedData,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { SundialMathError } from "./fixed-point.js";
import { MAX_ABS_SIZE_X18, MAX_PRICE_X18 } from "./positions.js";

/** An order (the Solidity `Order` struct). Field order and types are part of the signature. */
export interface Order {
  /** The account's owner. */
  owner: string;
  /** The account is `(owner, subaccount)`. */
  subaccount: bigint;
  /** The owner, or an operator the owner approved (ECDSA key or ERC-1271 contract). */
  signer: string;
  /** e.g. `encodeBytes32String("AAPL-USD")`. */
  marketId: string;
  isBuy: boolean;
  sizeX18: bigint;
  /** Buy: highest price; sell: lowest price. */
  limitPriceX18: bigint;
  /** Last unix second at which the order may fill (inclusive). */
  expiry: bigint;
  /** One-shot nonce (bitmap word `nonce >> 8`, bit `nonce & 255`). */
  nonce: bigint;
  /** The market's corporate-action epoch. */
  epoch: bigint;
  /** `FLAG_REDUCE_ONLY | FLAG_POST_ONLY`. */
  flags: number;
}

/** The EIP-712 domain name and version of the clearinghouse. */
export const ORDER_DOMAIN_NAME = "Sundial Clearinghouse";
export const ORDER_DOMAIN_VERSION = "1";

/** The EIP-712 `encodeType` of `Order` (`OrderLib.ORDER_TYPE`). */
export const ORDER_TYPE =
  "Order(address owner,uint96 subaccount,address signer,bytes32 marketId,bool isBuy,uint256 sizeX18," +
  "uint256 limitPriceX18,uint64 expiry,uint256 nonce,uint64 epoch,uint8 flags)";
/** keccak256(ORDER_TYPE) (`OrderLib.ORDER_TYPEHASH`). */
export const ORDER_TYPEHASH = id(ORDER_TYPE);

/** The EIP-712 types for ethers' `signTypedData` / `TypedDataEncoder`. */
export const ORDER_TYPES: Record<string, TypedDataField[]> = {
  Order: [
    { name: "owner", type: "address" },
    { name: "subaccount", type: "uint96" },
    { name: "signer", type: "address" },
    { name: "marketId", type: "bytes32" },
    { name: "isBuy", type: "bool" },
    { name: "sizeX18", type: "uint256" },
    { name: "limitPriceX18", type: "uint256" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "epoch", type: "uint64" },
    { name: "flags", type: "uint8" },
  ],
};

/** The order may only reduce the account's position. */
export const FLAG_REDUCE_ONLY = 1;
/** The order may only fill as a maker. */
export const FLAG_POST_ONLY = 2;
/** Every defined flag. */
export const KNOWN_FLAGS = FLAG_REDUCE_ONLY | FLAG_POST_ONLY;

/** Anything that signs EIP-712 typed data (an ethers v6 `Signer`, `Wallet`, `HDNodeWallet`). */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** The clearinghouse's EIP-712 domain on `chainId` at `verifyingContract`. */
export function orderDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return {
    name: ORDER_DOMAIN_NAME,
    version: ORDER_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(verifyingContract),
  };
}

/** The EIP-712 struct hash of `order` (`OrderLib.hash`): the key of partial-fill tracking. */
export function orderHash(order: Order): string {
  return TypedDataEncoder.hashStruct("Order", ORDER_TYPES, toTypedValue(order));
}

/** The EIP-712 digest that is signed: keccak256("\x19\x01" || domainSeparator || structHash). */
export function orderDigest(domain: TypedDataDomain, order: Order): string {
  return TypedDataEncoder.hash(domain, ORDER_TYPES, toTypedValue(order));
}

/** Signs `order` for `domain` with ethers v6 `signTypedData`; returns the 65-byte signature. */
export async function signOrder(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  order: Order,
): Promise<string> {
  return signer.signTypedData(domain, ORDER_TYPES, toTypedValue(order));
}

/** The address whose ECDSA key signed `order` for `domain`. */
export function recoverOrderSigner(domain: TypedDataDomain, order: Order, signature: string): string {
  return verifyTypedData(domain, ORDER_TYPES, toTypedValue(order), signature);
}

/**
 * The account id `(owner << 96) | subaccount` as a bytes32 hex string (`AccountIdLib.from`).
 */
export function accountId(owner: string, subaccount: bigint): string {
  const packed = (BigInt(getAddress(owner)) << 96n) | subaccount;
  return "0x" + packed.toString(16).padStart(64, "0");
}

/** Size in (0, 1e30], limit in (0, 1e38], no unknown flags (`OrderLib.isWellFormed`). */
export function isWellFormed(order: Order): boolean {
  return (
    order.sizeX18 > 0n &&
    order.sizeX18 <= MAX_ABS_SIZE_X18 &&
    order.limitPriceX18 > 0n &&
    order.limitPriceX18 <= MAX_PRICE_X18 &&
    (order.flags & ~KNOWN_FLAGS) === 0
  );
}

/** Whether the order has expired at `nowTime` (it may still fill at `expiry`). */
export function isExpired(order: Order, nowTime: bigint): boolean {
  return nowTime > order.expiry;
}

export function isReduceOnly(order: Order): boolean {
  return (order.flags & FLAG_REDUCE_ONLY) !== 0;
}

export function isPostOnly(order: Order): boolean {
  return (order.flags & FLAG_POST_ONLY) !== 0;
}

/** A buy pays at most its limit, a sell receives at least its limit. */
export function isPriceWithinLimit(order: Order, fillPriceX18: bigint): boolean {
  return order.isBuy ? fillPriceX18 <= order.limitPriceX18 : fillPriceX18 >= order.limitPriceX18;
}

/** The signed position change of filling `fillSizeX18` (+ buy, - sell). */
export function signedFillX18(order: Order, fillSizeX18: bigint): bigint {
  if (fillSizeX18 <= 0n || fillSizeX18 > MAX_ABS_SIZE_X18) {
    throw new SundialMathError("Order_FillSizeOutOfRange", [fillSizeX18, MAX_ABS_SIZE_X18]);
  }
  return order.isBuy ? fillSizeX18 : -fillSizeX18;
}

/** Unfilled size given what was filled before (0 once overfilled). */
export function remainingX18(sizeX18: bigint, filledX18: bigint): bigint {
  return filledX18 >= sizeX18 ? 0n : sizeX18 - filledX18;
}

/** The bitmap word and bit mask of a nonce. */
export function nonceBitmapPosition(nonce: bigint): { wordIndex: bigint; mask: bigint } {
  return { wordIndex: nonce >> 8n, mask: 1n << (nonce & 0xffn) };
}

/**
 * The JSON form of an order, as the matcher's HTTP API sends and accepts it: unsigned integers as
 * decimal strings (JSON numbers lose precision above 2^53), `flags` as a number.
 */
export interface OrderJson {
  owner: string;
  subaccount: string;
  signer: string;
  marketId: string;
  isBuy: boolean;
  sizeX18: string;
  limitPriceX18: string;
  expiry: string;
  nonce: string;
  epoch: string;
  flags: number;
}

/** `order` in its JSON form (`OrderJson`). */
export function orderToJson(order: Order): OrderJson {
  return {
    owner: order.owner,
    subaccount: order.subaccount.toString(),
    signer: order.signer,
    marketId: order.marketId,
    isBuy: order.isBuy,
    sizeX18: order.sizeX18.toString(),
    limitPriceX18: order.limitPriceX18.toString(),
    expiry: order.expiry.toString(),
    nonce: order.nonce.toString(),
    epoch: order.epoch.toString(),
    flags: order.flags,
  };
}

function toTypedValue(order: Order): Record<string, unknown> {
  return { ...order };
}
