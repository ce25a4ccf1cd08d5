/**
 * Structured JSON logging for keepers: one JSON object per line (`{"time","level","msg",...}`), so
 * that log shippers (Loki, CloudWatch, `jq`) need no parsing rules. bigint fields are written as
 * decimal strings, `Error`s as `{name, message, code?}`.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogFields = Record<string, unknown>;

/** What keeper modules log through. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{component: "settlement"}`). */
  child(fields: LogFields): Logger;
}

/** Where the lines go: stdout by default, an array in tests. */
export type LogSink = (line: string) => void;

export interface JsonLoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  /** Clock for the `time` field (ISO 8601); tests pin it. */
  now?: () => Date;
  fields?: LogFields;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Turns values JSON cannot encode into readable ones. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined
      ? { name: value.name, message: value.message }
      : { name: value.name, message: value.message, code };
  }
  return value;
}

export class JsonLogger implements Logger {
  private readonly minRank: number;
  private readonly sink: LogSink;
  private readonly now: () => Date;
  private readonly fields: LogFields;

  constructor(options: JsonLoggerOptions = {}) {
    this.minRank = LEVEL_RANK[options.level ?? "info"];
    this.sink = options.sink ?? ((line) => process.stdout.write(line + "\n"));
    this.now = options.now ?? (() => new Date());
    this.fields = options.fields ?? {};
  }

  debug(msg: string, fields?: LogFields): void {
    this.write("debug", msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write("info", msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write("warn", msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write("error", msg, fields);
  }

  child(fields: LogFields): Logger {
    const level = (Object.keys(LEVEL_RANK) as LogLevel[]).find((l) => LEVEL_RANK[l] === this.minRank);
    return new JsonLogger({
      level: level ?? "info",
      sink: this.sink,
      now: this.now,
      fields: { ...this.fields, ...fields },
    });
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    const record = { time: this.now().toISOString(), level, msg, ...this.fields, ...fields };
    this.sink(JSON.stringify(record, jsonReplacer));
  }
}

/** A logger that drops everything (benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
