/**
 * Child processes for the end-to-end tests and the benchmarks: a JSON-RPC node (`hardhat node` or Foundry's `anvil`)
 * on a free port, and the keepers' and matcher's real CLIs, run with Node's `--import tsx` (one
 * process per CLI, so SIGTERM and SIGKILL reach the CLI itself). Every line a child prints is kept
 * (and JSON-parsed when it is a log record) so a test can wait for a log message, and is written to
 * a log file for post-mortems.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HDNodeWallet, Mnemonic } from "ethers";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The development mnemonic both `hardhat node` and `anvil` fund their accounts from. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Private key of the nodes' development account `index` (m/44'/60'/0'/0/index). */
export function devKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}

/** A TCP port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `intervalMs` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const suffix = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await sleep(intervalMs);
  }
}

export type LogRecord = Record<string, unknown> & { msg?: string; level?: string };

/** A child process whose output is captured line by line. */
export class ManagedProcess {
  readonly lines: string[] = [];
  readonly records: LogRecord[] = [];
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: "a" });
    let pending = "";
    const onData = (chunk: Buffer): void => {
      this.log.write(chunk);
      pending += chunk.toString("utf8");
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) this.addLine(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitCode = code;
        if (pending.length > 0) this.addLine(pending);
        this.log.end(`\n[${name} exited: code ${code}, signal ${signal}]\n`);
        resolve(code);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  private addLine(line: string): void {
    this.lines.push(line);
    if (!line.startsWith("{")) return;
    try {
      this.records.push(JSON.parse(line) as LogRecord);
    } catch {
      // not a JSON log line (e.g. a node's banner)
    }
  }

  /** Log records whose `msg` equals `msg`. */
  logs(msg: string): LogRecord[] {
    return this.records.filter((r) => r.msg === msg);
  }

  async waitForLog(msg: string, timeoutMs = 60_000, count = 1): Promise<LogRecord> {
    return waitFor(
      `${this.name} to log "${msg}" ×${count}`,
      () => {
        if (!this.running) throw new Error(`${this.name} exited; last lines:\n${this.tail()}`);
        const found = this.logs(msg);
        return found.length >= count ? found[count - 1] : undefined;
      },
      timeoutMs,
    );
  }

  tail(lines = 20): string {
    return this.lines.slice(-lines).join("\n");
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). Resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 30_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Starts `node --import tsx <script> ...args` from the repository root, with this process's
 * environment plus `env` (or, with `replaceEnv`, exactly `env`).
 */
export function startTsProcess(
  name: string,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
  replaceEnv = false,
): ManagedProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: replaceEnv ? env : { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new ManagedProcess(name, child, join(logDir, `${name}.log`));
}

/**
 * Starts `hardhat <args>` (this project's Hardhat, e.g. `run --network … keepers/x/main.ts`) from the
 * repository root with exactly `env` (callers remove variables such as CI markers this way).
 */
export function startHardhatProcess(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
): ManagedProcess {
  const child = spawn(join(ROOT, "node_modules", ".bin", "hardhat"), args, {
    cwd: ROOT,
    // `hardhat` is a `#!/usr/bin/env node` script: put this Node (≥ 22.13) first on PATH.
    env: { ...env, PATH: `${dirname(process.execPath)}:${env["PATH"] ?? ""}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new ManagedProcess(name, child, join(logDir, `${name}.log`));
}

export type NodeKind = "hardhat" | "anvil";

export interface RpcNode {
  kind: NodeKind;
  url: string;
  process: ManagedProcess;
}

async function rpcReady(url: string): Promise<boolean> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  const body = (await response.json()) as { result?: string };
  return typeof body.result === "string";
}

/**
 * Starts a node on a free port: `hardhat node` (EDR, this project's Hardhat) or `anvil` (Foundry, an
 * independent implementation), both with the development mnemonic's funded accounts and chain 31337.
 */
export async function startNode(kind: NodeKind, logDir: string): Promise<RpcNode> {
  const port = await freePort();
  const bin = join(ROOT, "node_modules", ".bin", kind);
  const args =
    kind === "hardhat"
      ? ["node", "--port", String(port), "--no-typechain"]
      : ["--port", String(port), "--accounts", "20", "--chain-id", "31337"];
  // `hardhat` is a `#!/usr/bin/env node` script: put this Node (≥ 22.13) first on PATH.
  const child = spawn(bin, args, {
    cwd: ROOT,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const node = new ManagedProcess(`${kind}-node`, child, join(logDir, `${kind}-node.log`));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${kind} node on port ${port}`,
    async () => {
      if (!node.running) throw new Error(`${kind} node exited:\n${node.tail()}`);
      return rpcReady(url);
    },
    120_000,
  );
  return { kind, url, process: node };
}

/** A JSON-RPC call to `url`; throws on an error response. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
