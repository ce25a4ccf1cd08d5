/**
 * Per-network deployment configuration (SPEC section 9: "markets are data"). A parameter file in
 * `deploy/parameters/<network>.json` names the governance addresses, the oracle infrastructure and
 * every market with its price sources per session and its risk parameters. `parseDeploymentConfig`
 * validates a file completely (every problem at once); `resolveDeploymentConfig` replaces the
 * symbolic addresses (`"DEPLOYER"`, `"ACCOUNT:n"`, `"TIMELOCK"`, `"MOCK"`) with real ones, after
 * which the Ignition modules in `deploy/modules/` are built from the resolved configuration.
 *
 * A value that is not public (or not yet decided) is the string `"REPLACE_ME"`: parsing accepts it,
 * resolving refuses it, so a template can never be deployed by accident.
 */
import { readFileSync } from "node:fs";
import { encodeBytes32String, getAddress, isAddress, isHexString, parseUnits } from "ethers";
import { Session } from "../sdk/calendar.js";
import { defaultFundingParams, defaultRiskParams, type SessionRiskParams } from "../sdk/margin.js";
import type { FundingParams } from "../sdk/funding.js";

export const REPLACE_ME = "REPLACE_ME";

/** The sessions in `Session` order (the registry takes one risk record per session, in this order). */
export const SESSIONS = [
  Session.CLOSED,
  Session.PRE_MARKET,
  Session.REGULAR,
  Session.POST_MARKET,
  Session.OVERNIGHT,
] as const;

export const SESSION_NAMES: Record<Session, string> = {
  [Session.CLOSED]: "CLOSED",
  [Session.PRE_MARKET]: "PRE_MARKET",
  [Session.REGULAR]: "REGULAR",
  [Session.POST_MARKET]: "POST_MARKET",
  [Session.OVERNIGHT]: "OVERNIGHT",
};

/** The price sources a session may name (`SignedQuoteSource` only for CLOSED, as the adapter requires). */
export type SourceKind = "chainlinkFeed" | "dataStreams" | "pyth" | "signedQuotes";
const SOURCE_KINDS: readonly SourceKind[] = ["chainlinkFeed", "dataStreams", "pyth", "signedQuotes"];

/**
 * Chainlink's 24/5 US-equities product publishes three v11 streams per asset, one per trading phase
 * (`<SYMBOL>/USD-Streams-RegularHours`, `-ExtendedHours`, `-OvernightHours`). The deployment has one
 * `ChainlinkDataStreamsSource` per kind (a source maps each market to one stream), and a session that
 * names `dataStreams` reads the source of its own kind (`dataStreamKindOf`).
 */
export type DataStreamKind = "regularHours" | "extendedHours" | "overnightHours";
export const DATA_STREAM_KINDS: readonly DataStreamKind[] = [
  "regularHours",
  "extendedHours",
  "overnightHours",
];

/** The stream kind a session reads: pre- and post-market are Chainlink's extended hours; CLOSED has none. */
export function dataStreamKindOf(session: Session): DataStreamKind | undefined {
  switch (session) {
    case Session.REGULAR:
      return "regularHours";
    case Session.PRE_MARKET:
    case Session.POST_MARKET:
      return "extendedHours";
    case Session.OVERNIGHT:
      return "overnightHours";
    case Session.CLOSED:
      return undefined;
  }
}

/** The v11 schema version in the top two bytes of a stream id (`ChainlinkDataStreamsSource.setFeed` checks it). */
const V11_STREAM_PREFIX = "0x000b";

/**
 * An address as written in a file: a 0x address, `"DEPLOYER"` (the deploying account),
 * `"ACCOUNT:n"` (the n-th account of the Hardhat network, local only), `"TIMELOCK"` (the governance
 * timelock), `"MOCK"` (deployed by the local deployment) or `"REPLACE_ME"`.
 */
export type AddressRef = string;

export interface MarketConfigFile {
  symbol: string;
  /** The on-chain id, `encodeBytes32String(marketId)`, e.g. "AAPL-USD". */
  marketId: string;
  /** Oracle band tier: 500 large caps (LULD tier 1), 1,000 other stocks, 400 index ETFs. */
  bandTierBps: number;
  /** USD price the oracle starts from (the first anchor), decimal string. */
  initialPriceUsd: string;
  pyth?: { priceId: string; maxConfBps: number };
  chainlinkFeed?: AddressRef;
  /** The market's v11 stream id per stream kind (only the kinds its sessions read are required). */
  dataStreams?: Partial<Record<DataStreamKind, string>>;
  /** Primary and optional secondary source per session name; CLOSED may only name signedQuotes. */
  sessions: Partial<Record<string, SourceKind[]>>;
  sizes: { tickSize: string; stepSize: string; minOrderSize: string };
  /** Overrides of `defaultRiskParams(session)` per session name (bigint fields as strings). */
  risk?: Partial<Record<string, Partial<Record<keyof SessionRiskParams, string | number>>>>;
  funding?: { rateCapPerHourX18: string; interestRatePerHourX18: string };
  /** Minimum distinct signed quotes for the CLOSED blend, 3–16 (`SignedQuoteSource` bounds; default 3). */
  minQuotes?: number;
}

export interface DeploymentConfigFile {
  network: string;
  chainId: number;
  governance: { governance: AddressRef; minDelaySeconds: number };
  roles: { guardian: AddressRef; matcher: AddressRef; riskManager: AddressRef; quoteGuardian: AddressRef };
  collateralToken: AddressRef;
  oracle: {
    /** Chainlink L2 sequencer uptime feed; null on a chain without a sequencer (no guard). */
    sequencerUptimeFeed: AddressRef | null;
    pyth: AddressRef;
    dataStreamsVerifierProxy: AddressRef;
    quotePublishers: AddressRef[];
  };
  markets: MarketConfigFile[];
  /**
   * Collateral deposited into the liquidation backstop account `(insuranceFund, 0)` at deployment,
   * whole tokens as a decimal string; only with the MOCK collateral (minted). On a real network the
   * backstop is funded after deployment with `vault.depositFor(backstopAccount, amount)`.
   */
  liquidation?: { backstopDeposit: string };
}

/** A market after validation, with every number in its on-chain unit. */
export interface MarketSpec {
  symbol: string;
  marketId: string; // bytes32
  bandTierBps: number;
  initialPriceX18: bigint;
  pyth?: { priceId: string; maxConfBps: number };
  chainlinkFeed?: AddressRef;
  dataStreams?: Partial<Record<DataStreamKind, string>>;
  sessions: Map<Session, { primary: SourceKind; secondary?: SourceKind }>;
  tickSizeX18: bigint;
  stepSizeX18: bigint;
  minOrderSizeX18: bigint;
  risk: SessionRiskParams[]; // in SESSIONS order
  funding: FundingParams;
  minQuotes: bigint;
}

export interface DeploymentConfig {
  network: string;
  chainId: number;
  governance: { governance: AddressRef; minDelaySeconds: bigint };
  roles: DeploymentConfigFile["roles"];
  collateralToken: AddressRef;
  oracle: DeploymentConfigFile["oracle"];
  markets: MarketSpec[];
  /** Whole collateral tokens minted and deposited into the backstop (0: none). */
  backstopDepositTokens: bigint;
}

/** Raised for an invalid parameter file or an unresolvable address; `problems` lists each one. */
export class DeploymentConfigError extends Error {
  override readonly name = "DeploymentConfigError";
  constructor(readonly problems: readonly string[]) {
    super("invalid deployment configuration:\n  - " + problems.join("\n  - "));
  }
}

const SYMBOLIC = /^(DEPLOYER|TIMELOCK|MOCK|REPLACE_ME|ACCOUNT:\d+)$/;

function checkRef(problems: string[], where: string, value: unknown): void {
  if (typeof value !== "string" || !(SYMBOLIC.test(value) || isAddress(value))) {
    problems.push(`${where} must be a 0x address, DEPLOYER, TIMELOCK, MOCK, ACCOUNT:n or REPLACE_ME`);
  }
}

function decimalX18(problems: string[], where: string, value: unknown): bigint {
  if (typeof value !== "string" || !/^\d+(\.\d{1,18})?$/.test(value)) {
    problems.push(`${where} must be a positive decimal string, got ${JSON.stringify(value)}`);
    return 0n;
  }
  const x18 = parseUnits(value, 18);
  if (x18 === 0n) problems.push(`${where} must be greater than zero`);
  return x18;
}

function sessionByName(name: string): Session | undefined {
  return SESSIONS.find((s) => SESSION_NAMES[s] === name);
}

function parseSessions(problems: string[], where: string, m: MarketConfigFile): MarketSpec["sessions"] {
  const sessions: MarketSpec["sessions"] = new Map();
  for (const [name, kinds] of Object.entries(m.sessions ?? {})) {
    const session = sessionByName(name);
    if (session === undefined) {
      problems.push(`${where}.sessions.${name} is not a session name`);
      continue;
    }
    if (!Array.isArray(kinds) || kinds.length < 1 || kinds.length > 2) {
      problems.push(`${where}.sessions.${name} must list a primary and an optional secondary source`);
      continue;
    }
    for (const kind of kinds) {
      if (!SOURCE_KINDS.includes(kind)) problems.push(`${where}.sessions.${name}: unknown source "${kind}"`);
      if (kind === "pyth" && m.pyth === undefined) problems.push(`${where}: ${name} uses pyth without pyth`);
      if (kind === "chainlinkFeed" && m.chainlinkFeed === undefined) {
        problems.push(`${where}: ${name} uses chainlinkFeed without chainlinkFeed`);
      }
      const streamKind = dataStreamKindOf(session);
      if (kind === "dataStreams" && streamKind !== undefined && m.dataStreams?.[streamKind] === undefined) {
        problems.push(`${where}: ${name} uses dataStreams without dataStreams.${streamKind}`);
      }
    }
    const onlyQuotes = kinds.length === 1 && kinds[0] === "signedQuotes";
    if (session === Session.CLOSED ? !onlyQuotes : kinds.includes("signedQuotes")) {
      problems.push(`${where}.sessions.${name}: signedQuotes is the only source of CLOSED, and only there`);
    }
    if (kinds[0] === kinds[1]) problems.push(`${where}.sessions.${name}: secondary equals primary`);
    const [primary, secondary] = kinds as [SourceKind, SourceKind?];
    sessions.set(session, secondary === undefined ? { primary } : { primary, secondary });
  }
  return sessions;
}

function parseRisk(problems: string[], where: string, m: MarketConfigFile): SessionRiskParams[] {
  return SESSIONS.map((session) => {
    const params = defaultRiskParams(session);
    const overrides = m.risk?.[SESSION_NAMES[session]] ?? {};
    for (const [key, value] of Object.entries(overrides)) {
      if (!(key in params)) {
        problems.push(`${where}.risk.${SESSION_NAMES[session]}.${key} is not a risk parameter`);
        continue;
      }
      try {
        params[key as keyof SessionRiskParams] = BigInt(value as string | number);
      } catch {
        problems.push(`${where}.risk.${SESSION_NAMES[session]}.${key} must be an integer`);
      }
    }
    return params;
  });
}

function parseMarket(problems: string[], index: number, m: MarketConfigFile): MarketSpec {
  const where = `markets[${index}] (${m.symbol ?? "?"})`;
  if (typeof m.marketId !== "string" || m.marketId.length === 0 || m.marketId.length > 31) {
    problems.push(`${where}.marketId must be a string of 1–31 characters`);
  }
  if (!Number.isInteger(m.bandTierBps) || m.bandTierBps < 100 || m.bandTierBps > 2_000) {
    problems.push(`${where}.bandTierBps must be an integer in [100, 2000]`);
  }
  if (m.pyth !== undefined) {
    const id = m.pyth.priceId;
    if (id !== REPLACE_ME && !isHexString(id, 32)) problems.push(`${where}.pyth.priceId must be 32 bytes`);
  }
  if (m.chainlinkFeed !== undefined) checkRef(problems, `${where}.chainlinkFeed`, m.chainlinkFeed);
  checkDataStreams(problems, where, m);
  if (m.minQuotes !== undefined && (!Number.isInteger(m.minQuotes) || m.minQuotes < 3 || m.minQuotes > 16)) {
    problems.push(`${where}.minQuotes must be an integer in [3, 16]`);
  }
  const funding = m.funding
    ? {
        rateCapPerHourX18: BigInt(m.funding.rateCapPerHourX18),
        interestRatePerHourX18: BigInt(m.funding.interestRatePerHourX18),
      }
    : defaultFundingParams();
  const spec: MarketSpec = {
    symbol: m.symbol,
    marketId: encodeBytes32String(m.marketId ?? ""),
    bandTierBps: m.bandTierBps,
    // REPLACE_ME in a template: the last close, known only on the day of the deployment.
    initialPriceX18:
      m.initialPriceUsd === REPLACE_ME
        ? 0n
        : decimalX18(problems, `${where}.initialPriceUsd`, m.initialPriceUsd),
    sessions: parseSessions(problems, where, m),
    tickSizeX18: decimalX18(problems, `${where}.sizes.tickSize`, m.sizes?.tickSize),
    stepSizeX18: decimalX18(problems, `${where}.sizes.stepSize`, m.sizes?.stepSize),
    minOrderSizeX18: decimalX18(problems, `${where}.sizes.minOrderSize`, m.sizes?.minOrderSize),
    risk: parseRisk(problems, where, m),
    funding,
    minQuotes: BigInt(m.minQuotes ?? 3),
  };
  if (m.pyth !== undefined) spec.pyth = m.pyth;
  if (m.chainlinkFeed !== undefined) spec.chainlinkFeed = m.chainlinkFeed;
  if (m.dataStreams !== undefined) spec.dataStreams = { ...m.dataStreams };
  return spec;
}

/** A market's streams: known kinds, v11 ids (or REPLACE_ME), a different stream per kind. */
function checkDataStreams(problems: string[], where: string, m: MarketConfigFile): void {
  if ("dataStreamsFeedId" in m) {
    problems.push(
      `${where}.dataStreamsFeedId was replaced by dataStreams: {"regularHours", "extendedHours", "overnightHours"} (one stream per trading phase)`,
    );
  }
  if (m.dataStreams === undefined) return;
  if (typeof m.dataStreams !== "object" || m.dataStreams === null || Array.isArray(m.dataStreams)) {
    problems.push(`${where}.dataStreams must be an object of stream ids by kind`);
    return;
  }
  const seen = new Map<string, string>();
  for (const [kind, id] of Object.entries(m.dataStreams)) {
    if (!(DATA_STREAM_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${where}.dataStreams.${kind} is not a stream kind (${DATA_STREAM_KINDS.join(", ")})`);
      continue;
    }
    if (id === REPLACE_ME) continue;
    if (typeof id !== "string" || !isHexString(id, 32) || !id.toLowerCase().startsWith(V11_STREAM_PREFIX)) {
      problems.push(`${where}.dataStreams.${kind} must be a 32-byte v11 stream id (${V11_STREAM_PREFIX}…)`);
      continue;
    }
    const other = seen.get(id.toLowerCase());
    if (other !== undefined) problems.push(`${where}.dataStreams: ${other} and ${kind} name the same stream`);
    seen.set(id.toLowerCase(), kind);
  }
}

/** A stream assigned to two markets in the same kind would revert `setFeed` (one market per feed). */
function checkStreamsDistinct(problems: string[], markets: readonly MarketSpec[]): void {
  for (const kind of DATA_STREAM_KINDS) {
    const owner = new Map<string, string>();
    for (const m of markets) {
      const given = m.dataStreams?.[kind];
      if (given === undefined || given === REPLACE_ME) continue;
      const id = given.toLowerCase();
      const first = owner.get(id);
      if (first !== undefined)
        problems.push(`dataStreams.${kind} ${id} is given to both ${first} and ${m.symbol}`);
      else owner.set(id, m.symbol);
    }
  }
}

/** Validates a parsed parameter file. @throws DeploymentConfigError listing every problem. */
export function parseDeploymentConfig(json: unknown): DeploymentConfig {
  const file = json as DeploymentConfigFile;
  const problems: string[] = [];
  if (typeof file !== "object" || file === null) throw new DeploymentConfigError(["not a JSON object"]);
  if (typeof file.network !== "string") problems.push("network must be a string");
  if (!Number.isInteger(file.chainId)) problems.push("chainId must be an integer");
  checkRef(problems, "governance.governance", file.governance?.governance);
  if (!Number.isInteger(file.governance?.minDelaySeconds) || file.governance.minDelaySeconds < 0) {
    problems.push("governance.minDelaySeconds must be a non-negative integer");
  }
  for (const role of ["guardian", "matcher", "riskManager", "quoteGuardian"] as const) {
    checkRef(problems, `roles.${role}`, file.roles?.[role]);
  }
  checkRef(problems, "collateralToken", file.collateralToken);
  if (file.oracle?.sequencerUptimeFeed !== null) {
    checkRef(problems, "oracle.sequencerUptimeFeed", file.oracle?.sequencerUptimeFeed);
  }
  checkRef(problems, "oracle.pyth", file.oracle?.pyth);
  checkRef(problems, "oracle.dataStreamsVerifierProxy", file.oracle?.dataStreamsVerifierProxy);
  (file.oracle?.quotePublishers ?? []).forEach((p, i) =>
    checkRef(problems, `oracle.quotePublishers[${i}]`, p),
  );
  if (!Array.isArray(file.markets) || file.markets.length === 0) problems.push("markets must be non-empty");
  const markets = (file.markets ?? []).map((m, i) => parseMarket(problems, i, m));
  const ids = markets.map((m) => m.marketId);
  if (new Set(ids).size !== ids.length) problems.push("markets must have distinct marketIds");
  checkStreamsDistinct(problems, markets);
  const backstopDepositTokens = parseBackstopDeposit(problems, file);
  if (problems.length > 0) throw new DeploymentConfigError(problems);
  return {
    network: file.network,
    chainId: file.chainId,
    governance: {
      governance: file.governance.governance,
      minDelaySeconds: BigInt(file.governance.minDelaySeconds),
    },
    roles: file.roles,
    collateralToken: file.collateralToken,
    oracle: file.oracle,
    markets,
    backstopDepositTokens,
  };
}

function parseBackstopDeposit(problems: string[], file: DeploymentConfigFile): bigint {
  const value = file.liquidation?.backstopDeposit;
  if (value === undefined) return 0n;
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    problems.push(
      `liquidation.backstopDeposit must be a whole-token decimal string, got ${JSON.stringify(value)}`,
    );
    return 0n;
  }
  const tokens = BigInt(value);
  if (tokens !== 0n && file.collateralToken !== "MOCK") {
    problems.push(
      "liquidation.backstopDeposit needs the MOCK collateral (fund a real backstop with depositFor)",
    );
  }
  return tokens;
}

/** Reads and validates `deploy/parameters/<name>.json` (or any path). */
export function loadDeploymentConfig(file: string | URL): DeploymentConfig {
  return parseDeploymentConfig(JSON.parse(readFileSync(file, "utf8")));
}

/** The parameter file shipped for `name` (`local`, `l2-template`). */
export function parametersFile(name: string): URL {
  return new URL(`./parameters/${name}.json`, import.meta.url);
}

/** What symbolic addresses resolve to. `mocks` holds the local mocks (absent on a real network). */
export interface AddressContext {
  deployer: string;
  accounts: readonly string[];
  mocks?: LocalMockAddresses;
}

export interface LocalMockAddresses {
  collateralToken: string;
  pyth: string;
  dataStreamsVerifierProxy: string;
  sequencerUptimeFeed: string;
  /** One Chainlink aggregator per market id (bytes32). */
  chainlinkFeeds: Record<string, string>;
}

/**
 * Every address of the configuration resolved: `"TIMELOCK"` stays symbolic (the timelock exists only
 * inside the deployment) and becomes the timelock future in the modules.
 */
export function resolveAddress(ref: AddressRef, where: string, ctx: AddressContext, mock?: string): string {
  if (ref === "TIMELOCK") return ref;
  if (ref === "DEPLOYER") return ctx.deployer;
  if (ref === REPLACE_ME)
    throw new DeploymentConfigError([`${where} is REPLACE_ME: set it before deploying`]);
  if (ref === "MOCK") {
    if (mock === undefined) throw new DeploymentConfigError([`${where} is MOCK but no mock was deployed`]);
    return mock;
  }
  const account = /^ACCOUNT:(\d+)$/.exec(ref);
  if (account) {
    const address = ctx.accounts[Number(account[1])];
    if (address === undefined) throw new DeploymentConfigError([`${where}: no account ${account[1]}`]);
    return address;
  }
  return getAddress(ref);
}

/** A configuration whose addresses are all concrete (or `"TIMELOCK"`). @throws DeploymentConfigError */
export function resolveDeploymentConfig(config: DeploymentConfig, ctx: AddressContext): DeploymentConfig {
  const problems: string[] = [];
  const resolve = (ref: AddressRef, where: string, mock?: string): string => {
    try {
      return resolveAddress(ref, where, ctx, mock);
    } catch (err) {
      problems.push(...(err as DeploymentConfigError).problems);
      return ref;
    }
  };
  /** A contract the deployment does not create: the timelock is never one. */
  const resolveExternal = (ref: AddressRef, where: string, mock?: string): string => {
    if (ref === "TIMELOCK") problems.push(`${where} cannot be TIMELOCK`);
    return resolve(ref, where, mock);
  };
  const mocks = ctx.mocks;
  const oracle = config.oracle;
  const markets = config.markets.map((m, i): MarketSpec => {
    const where = `markets[${i}] (${m.symbol})`;
    const out: MarketSpec = { ...m };
    if (m.chainlinkFeed !== undefined) {
      out.chainlinkFeed = resolve(
        m.chainlinkFeed,
        `${where}.chainlinkFeed`,
        mocks?.chainlinkFeeds[m.marketId],
      );
    }
    if (m.initialPriceX18 === 0n) problems.push(`${where}.initialPriceUsd is REPLACE_ME`);
    if (m.pyth?.priceId === REPLACE_ME) problems.push(`${where}.pyth.priceId is REPLACE_ME`);
    for (const kind of DATA_STREAM_KINDS) {
      if (m.dataStreams?.[kind] === REPLACE_ME) problems.push(`${where}.dataStreams.${kind} is REPLACE_ME`);
    }
    return out;
  });
  const resolved: DeploymentConfig = {
    ...config,
    governance: { ...config.governance, governance: resolve(config.governance.governance, "governance") },
    roles: {
      guardian: resolve(config.roles.guardian, "roles.guardian"),
      matcher: resolve(config.roles.matcher, "roles.matcher"),
      riskManager: resolve(config.roles.riskManager, "roles.riskManager"),
      quoteGuardian: resolve(config.roles.quoteGuardian, "roles.quoteGuardian"),
    },
    collateralToken: resolveExternal(config.collateralToken, "collateralToken", mocks?.collateralToken),
    oracle: {
      sequencerUptimeFeed:
        oracle.sequencerUptimeFeed === null
          ? null
          : resolveExternal(
              oracle.sequencerUptimeFeed,
              "oracle.sequencerUptimeFeed",
              mocks?.sequencerUptimeFeed,
            ),
      pyth: resolveExternal(oracle.pyth, "oracle.pyth", mocks?.pyth),
      dataStreamsVerifierProxy: resolveExternal(
        oracle.dataStreamsVerifierProxy,
        "oracle.dataStreamsVerifierProxy",
        mocks?.dataStreamsVerifierProxy,
      ),
      quotePublishers: oracle.quotePublishers.map((p, i) => resolve(p, `oracle.quotePublishers[${i}]`)),
    },
    markets,
  };
  if (resolved.governance.governance === "TIMELOCK")
    problems.push("governance cannot be the timelock itself");
  if (problems.length > 0) throw new DeploymentConfigError(problems);
  return resolved;
}

/** Whether a configuration (before resolution) still holds REPLACE_ME values, and where. */
export function replaceMePaths(json: unknown, path = ""): string[] {
  if (json === REPLACE_ME) return [path];
  if (Array.isArray(json)) return json.flatMap((v, i) => replaceMePaths(v, `${path}[${i}]`));
  if (typeof json === "object" && json !== null) {
    return Object.entries(json).flatMap(([k, v]) => replaceMePaths(v, path ? `${path}.${k}` : k));
  }
  return [];
}
