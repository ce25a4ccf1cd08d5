/** Sundial's TypeScript SDK. TypeChain bindings live in `typechain-types/`; helpers are re-exported here. */
export * from "./calendar.js";
