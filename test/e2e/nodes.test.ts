/**
 * The end-to-end scenario (`scenario.ts`) against two independent JSON-RPC node implementations,
 * each started as a separate process: Hardhat's `hardhat node` (EDR) and Foundry's `anvil`.
 */
import { endToEnd } from "./scenario.js";

describe("end to end over JSON-RPC: hardhat node", function () {
  endToEnd("hardhat");
});

describe("end to end over JSON-RPC: anvil", function () {
  endToEnd("anvil");
});
