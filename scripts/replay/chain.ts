/**
 * The local chain of the replay: a `hardhat node` child process (bound to 127.0.0.1, its own process group so it
 * can be killed with everything it spawned), a Hardhat runtime connected to it over JSON-RPC (ethers + Ignition),
 * and the clock control (`evm_setNextBlockTimestamp`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHardhatRuntimeEnvironment, importUserConfig } from "hardhat/hre";
import { dateOfDay } from "../../domain/units.js";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HARDHAT_BIN = join(ROOT, "node_modules/.bin/hardhat");
const CONFIG = join(ROOT, "hardhat.config.ts");

/** Seconds per UTC day. */
export const DAY = 86_400;

/** A free TCP port on 127.0.0.1 chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when `port` on 127.0.0.1 can be bound; rejects naming `option` when it is taken. */
export function assertPortFree(port: number, option: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(`${option} ${port}: ${e.code === "EADDRINUSE" ? "port already in use" : e.message}`)),
    );
    s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
  });
}

/** Sends one JSON-RPC request to `url`. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** A running `hardhat node`. */
export interface LocalNode {
  url: string;
  port: number;
  /** Kills the node's process group (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` (network `node` of hardhat.config.ts) whose clock
 * starts at `initialDay` (UTC day number), waits until it answers, and turns its per-request logging off.
 * `port` 0 picks a free port. Throws naming `--port` when the port is taken.
 */
export async function startNode(opts: { port: number; initialDay: number; timeoutMs?: number }): Promise<LocalNode> {
  const port = opts.port === 0 ? await freePort() : opts.port;
  if (opts.port !== 0) await assertPortFree(port, "--port");
  const proc: ChildProcess = spawn(HARDHAT_BIN, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_NODE_INITIAL_DATE: `${dateOfDay(opts.initialDay)}T00:00:00Z` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let tail = "";
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4_000));
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((r) => proc.once("exit", () => ((exited = true), r())));
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  // last resort if this process dies without cleaning up
  const onExit = () => kill("SIGKILL");
  process.once("exit", onExit);

  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(`hardhat node exited during start-up:\n${tail}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() - t0 > (opts.timeoutMs ?? 120_000)) {
        kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${url} within ${opts.timeoutMs ?? 120_000} ms:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await rpc(url, "hardhat_setLoggingEnabled", [false]);
  return {
    url,
    port,
    async stop() {
      if (!exited) {
        kill("SIGTERM");
        await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000))]);
        if (!exited) kill("SIGKILL");
      }
      // only now: a forced exit while stopping (second Ctrl-C, terminal closed) still kills the node
      process.removeListener("exit", onExit);
    },
  };
}

/** A Hardhat network connection (ethers, network helpers, Ignition) to a JSON-RPC URL. */
export type Connection = Awaited<ReturnType<typeof connectTo>>;

/**
 * Connects a fresh Hardhat runtime (this repository's config) to `url` as network `localhost`. Ignition's
 * deployment journal goes to a temporary folder, removed by `close()`, so every replay deploys afresh.
 */
export async function connectTo(url: string) {
  const ignitionDir = mkdtempSync(join(tmpdir(), "hashpower-ignition-"));
  const userConfig = await importUserConfig(CONFIG);
  const hre = await createHardhatRuntimeEnvironment(
    { ...userConfig, paths: { ...userConfig.paths, ignition: ignitionDir } },
    { config: CONFIG },
    ROOT,
  );
  const conn = await hre.network.create({ network: "localhost", override: { url } });
  return {
    ...conn,
    hre,
    async close() {
      await conn.close();
      rmSync(ignitionDir, { recursive: true, force: true });
    },
  };
}

/** Sets the next block's timestamp to `day` × 86400 + `secondsIntoDay` and mines it. */
export async function setChainTime(url: string, day: number, secondsIntoDay = 1): Promise<void> {
  await rpc(url, "evm_setNextBlockTimestamp", [day * DAY + secondsIntoDay]);
  await rpc(url, "evm_mine");
}
