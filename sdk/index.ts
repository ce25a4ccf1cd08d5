/** Sundial's TypeScript SDK. TypeChain bindings live in `typechain-types/`; helpers are re-exported here. */
export * from "./calendar.js";
export * from "./fixed-point.js";
export * from "./positions.js";
export * from "./funding.js";
export * from "./margin.js";
export * from "./orders.js";
export * from "./clients.js";
export * from "./matcher.js";
