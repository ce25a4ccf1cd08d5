/**
 * Keeper configuration from command-line flags and environment variables. Each option names its
 * flag (`--rpc-url`), its environment variable (`SUNDIAL_RPC_URL`), its kind and an optional
 * default; a flag wins over the environment, the environment over the default. Every problem is
 * collected and reported at once in a `ConfigError` with one line per problem.
 *
 * Private keys are never options: `--key-env` names the environment variable that holds the key
 * (see `loadWallet`), so a key never appears in a process listing, a shell history or a file.
 */
import { Wallet, getAddress, isAddress, parseUnits, type Provider } from "ethers";

/** `gwei`: a positive decimal amount of gwei (up to 9 decimals), parsed to wei as a bigint. */
export type OptionKind = "string" | "url" | "address" | "int" | "bool" | "enum" | "gwei";

export interface OptionSpec {
  /** Flag without dashes, e.g. `rpc-url`. */
  flag: string;
  /** Environment variable, e.g. `SUNDIAL_RPC_URL`. */
  env?: string;
  kind: OptionKind;
  description: string;
  /** Default (as the string a user would type); an option without one is required. */
  default?: string;
  /** Bounds for `int`. */
  min?: number;
  max?: number;
  /** Allowed values for `enum`. */
  values?: readonly string[];
  /** Optional options may be absent without a default (their value is `undefined`). */
  optional?: boolean;
}

export type OptionValue = string | number | bigint | boolean | undefined;

/** Raised when configuration is missing or invalid; `problems` lists each one. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super("invalid configuration:\n  - " + problems.join("\n  - "));
  }
}

/** Splits `argv` into `--flag value` / `--flag=value` / bare `--flag` (booleans). */
export function parseFlags(argv: readonly string[], specs: readonly OptionSpec[]): Map<string, string> {
  const byFlag = new Map(specs.map((s) => [s.flag, s]));
  const flags = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = byFlag.get(name);
    if (!spec) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    if (eq !== -1) {
      flags.set(name, arg.slice(eq + 1));
    } else if (spec.kind === "bool") {
      flags.set(name, "true");
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) problems.push(`flag --${name} needs a value`);
      else {
        flags.set(name, next);
        i++;
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return flags;
}

function parseValue(spec: OptionSpec, raw: string, source: string): OptionValue | Error {
  const where = `${source} (${spec.description})`;
  switch (spec.kind) {
    case "string":
      return raw.length > 0 ? raw : new Error(`${where} must not be empty`);
    case "url":
      try {
        const url = new URL(raw);
        if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
          return new Error(`${where} must be an http(s) or ws(s) URL, got "${raw}"`);
        }
        return raw;
      } catch {
        return new Error(`${where} must be a URL, got "${raw}"`);
      }
    case "address":
      return isAddress(raw) ? getAddress(raw) : new Error(`${where} must be a 0x address, got "${raw}"`);
    case "int": {
      if (!/^-?\d+$/.test(raw)) return new Error(`${where} must be an integer, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return new Error(`${where} is out of range: ${raw}`);
      if (spec.min !== undefined && n < spec.min)
        return new Error(`${where} must be ≥ ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max)
        return new Error(`${where} must be ≤ ${spec.max}, got ${n}`);
      return n;
    }
    case "gwei": {
      if (!/^\d+(\.\d{1,9})?$/.test(raw))
        return new Error(`${where} must be an amount of gwei, got "${raw}"`);
      const wei = parseUnits(raw, "gwei");
      return wei > 0n ? wei : new Error(`${where} must be positive, got ${raw}`);
    }
    case "bool":
      if (["true", "1", "yes"].includes(raw)) return true;
      if (["false", "0", "no"].includes(raw)) return false;
      return new Error(`${where} must be true or false, got "${raw}"`);
    case "enum":
      return spec.values?.includes(raw)
        ? raw
        : new Error(`${where} must be one of ${(spec.values ?? []).join(", ")}, got "${raw}"`);
  }
}

/**
 * Resolves every option from `argv` and `env`. Returns values keyed by flag name (`"rpc-url"`).
 * @throws ConfigError listing every missing or invalid option.
 */
export function loadOptions(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Record<string, OptionValue> {
  const flags = parseFlags(argv, specs);
  const values: Record<string, OptionValue> = {};
  const problems: string[] = [];
  for (const spec of specs) {
    const fromFlag = flags.get(spec.flag);
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    let raw: string | undefined;
    let source: string;
    if (fromFlag !== undefined) {
      raw = fromFlag;
      source = `--${spec.flag}`;
    } else if (fromEnv !== undefined && fromEnv !== "") {
      raw = fromEnv;
      source = `$${spec.env}`;
    } else {
      raw = spec.default;
      source = `default of --${spec.flag}`;
    }
    if (raw === undefined) {
      if (!spec.optional) {
        const envHint = spec.env ? ` or $${spec.env}` : "";
        problems.push(`missing --${spec.flag}${envHint} (${spec.description})`);
      }
      values[spec.flag] = undefined;
      continue;
    }
    const parsed = parseValue(spec, raw, source);
    if (parsed instanceof Error) problems.push(parsed.message);
    else values[spec.flag] = parsed;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

/** `--help` text for `specs`. */
export function usage(command: string, specs: readonly OptionSpec[]): string {
  const lines = [`usage: ${command} [flags]`, ""];
  for (const s of specs) {
    const env = s.env ? ` [$${s.env}]` : "";
    const def = s.default !== undefined ? ` (default ${s.default})` : s.optional ? " (optional)" : "";
    lines.push(`  --${s.flag}${env}${def}`, `      ${s.description}`);
  }
  return lines.join("\n");
}

/**
 * The wallet whose private key is in the environment variable `keyEnv`.
 * @throws ConfigError when the variable is unset or does not hold a 32-byte hex key (the key
 * itself is never echoed).
 */
export function loadWallet(keyEnv: string, env: NodeJS.ProcessEnv, provider?: Provider): Wallet {
  const key = env[keyEnv];
  if (key === undefined || key === "") {
    throw new ConfigError([`environment variable $${keyEnv} (named by --key-env) is not set`]);
  }
  return walletFromKey(key, `$${keyEnv}`, provider);
}

/**
 * The wallet of a private key from `source` (e.g. `$SUNDIAL_MATCHER_KEY`, for messages).
 * @throws ConfigError when `key` is not a 32-byte hex secp256k1 key (the key is never echoed).
 */
export function walletFromKey(key: string, source: string, provider?: Provider): Wallet {
  const trimmed = key.trim();
  const normalized = trimmed.startsWith("0x") ? trimmed : "0x" + trimmed;
  if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) {
    throw new ConfigError([`${source} does not hold a 32-byte hex private key`]);
  }
  try {
    return new Wallet(normalized, provider ?? null);
  } catch {
    throw new ConfigError([`${source} does not hold a valid secp256k1 private key`]);
  }
}
