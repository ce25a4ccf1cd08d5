/**
 * Test doubles for the matcher: the in-memory chain, submitter and order helpers of
 * `scripts/lib/fake-matcher.ts` (shared with `scripts/bench-matcher.ts`), plus deterministic traders.
 */
import { Wallet } from "ethers";

export * from "../../../scripts/lib/fake-matcher.js";
export { Transaction } from "ethers";

/** Deterministic test traders. */
export const alice = new Wallet("0x" + "11".repeat(32));
export const bob = new Wallet("0x" + "22".repeat(32));
export const carol = new Wallet("0x" + "33".repeat(32));
