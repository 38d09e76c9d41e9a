/**
 * The indexer running live beside the replay, as a child process: the indexer's own command line
 * (`indexer/cli.ts run`, which runs its ahead-of-time bundle), on PGlite in a temporary folder or on the PostgreSQL
 * of `--database-url`, with a small GraphQL client for the summary and the test. In its own process its database
 * work (PGlite's WASM engine, the handlers, GraphQL) runs on another core than the replay, which waits on the node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { System } from "./deploy.js";
import { createClient } from "../../client/index.js";
import { EXIT, StartupError, redactUrl } from "../../indexer/startup.js";
import { freePort, ROOT, rpc } from "./chain.js";

/** The replay's indexer and how to reach and stop it. */
export interface LiveIndexer {
  /** the indexer's process id */
  pid: number;
  /** GraphQL endpoint, e.g. http://127.0.0.1:42069/graphql */
  url: string;
  /** Where the data lives: the PGlite folder or the PostgreSQL URL without its password. */
  store: string;
  /** Blocks between `head` and the last indexed block the replay has seen (`_meta.block`, read every 500 ms). */
  lag(head: number): number;
  /** Resolves once the indexer has indexed the node's current head; throws after `timeoutMs` (default 120 s). */
  waitForHead(timeoutMs?: number): Promise<void>;
  /** Sends a GraphQL query; throws with the server's messages on errors. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the indexer process (SIGTERM, SIGKILL after 5 s) and removes the temporary PGlite folder. */
  stop(): Promise<void>;
}

/**
 * Starts the indexer of `sys` (and the DeFi contracts `defi`) on `rpcUrl` in a child process; `apiPort` 0 picks a
 * free port. Its database: `databaseUrl` (reset first), else PGlite in `dataDir`, else in a new temporary folder
 * (removed by `stop()`). It follows the chain in 1-second steps, with finality 2 and without the logs-bloom
 * cross-check (the node is the replay's own). Resolves once GraphQL answers; throws `StartupError` naming
 * `--api-port` (exit 5) or `--database-url` (exit 3) when the child exits for those, an Error with the child's
 * output otherwise.
 */
export async function startLiveIndexer(
  sys: System,
  rpcUrl: string,
  opts: { apiPort: number; databaseUrl?: string; dataDir?: string; defi?: { wrapperFactory: string; morpho: string } },
): Promise<LiveIndexer> {
  const dataDir = opts.databaseUrl ? undefined : (opts.dataDir ?? mkdtempSync(join(tmpdir(), "hashpower-pglite-")));
  const port = opts.apiPort === 0 ? await freePort() : opts.apiPort;
  const c = sys.addresses;
  const args = [
    "run", "--rpc", rpcUrl, "--token", c.token, "--oracle", c.oracle, "--settlement", c.settlement,
    ...(opts.defi ? ["--wrapper-factory", opts.defi.wrapperFactory, "--morpho", opts.defi.morpho] : []),
    "--from-block", String(sys.fromBlock), "--finality", "2", "--port", String(port), "--host", "127.0.0.1",
    // ~16 blocks a step at the replay's pace instead of one block per poll: fewer requests and database transactions
    "--poll-interval", "1000", "--no-bloom-check", "--no-progress",
    ...(opts.databaseUrl ? ["--reset"] : ["--data-dir", dataDir!]),
  ];
  // DATABASE_URL in the environment would win over --data-dir: the child gets the database named here only
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.INDEXER_LOG_LEVEL ?? "error" };
  delete env.DATABASE_URL;
  delete env.PGLITE_DIR;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  // its own process group, as the node's: a Ctrl-C in the terminal reaches the replay only, which finishes its day,
  // reads the summary from this indexer, then stops it
  const proc: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(ROOT, "indexer/cli.ts"), ...args], {
    cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  let tail = "";
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4_000));
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((r) => proc.once("exit", (code) => ((exitCode = code), r())));
  const onExit = () => proc.kill("SIGKILL"); // last resort if the replay dies without stopping it
  process.once("exit", onExit);
  const url = `http://127.0.0.1:${port}/graphql`;
  const client = createClient({ url });
  let poll: NodeJS.Timeout | undefined;
  const cleanup = () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const stop = async () => {
    clearInterval(poll);
    if (exitCode === undefined) {
      proc.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000, undefined, { ref: false })]); // the timer keeps no one waiting
      if (exitCode === undefined) proc.kill("SIGKILL"), await exited;
    }
    process.removeListener("exit", onExit);
    cleanup();
  };

  let indexed = sys.fromBlock - 1;
  const meta = async () => {
    const m = await client.request<{ _meta: { block: number | null } }>("{ _meta { block } }", {});
    indexed = Math.max(indexed, m._meta.block ?? indexed);
    return indexed;
  };
  // up once GraphQL answers (the child checks the database, the node and the port first)
  const t0 = Date.now();
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      if (exitCode === EXIT.port) throw new StartupError("--api-port", `${port}: ${tail.trim().split("\n").pop()}`, EXIT.port);
      if (exitCode === EXIT.database && opts.databaseUrl) throw new StartupError("--database-url", tail.trim().split("\n").pop() ?? "", EXIT.database);
      throw new Error(`the indexer exited during start-up (code ${exitCode}):\n${tail}`);
    }
    try {
      await meta();
      break;
    } catch {
      if (Date.now() - t0 > 120_000) {
        await stop();
        throw new Error(`the indexer did not answer on ${url} within 120 s:\n${tail}`);
      }
      await sleep(100);
    }
  }
  poll = setInterval(() => void meta().catch(() => {}), 500);
  poll.unref();
  return {
    pid: proc.pid!,
    url,
    store: dataDir ? `PGlite in ${dataDir}` : `PostgreSQL ${redactUrl(opts.databaseUrl!)}`,
    lag: (head) => head - indexed,
    async waitForHead(timeoutMs = 120_000) {
      const head = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
      const deadline = Date.now() + timeoutMs;
      while ((await meta()) < head) {
        if (exitCode !== undefined) throw new Error(`the indexer exited (code ${exitCode}):\n${tail}`);
        if (Date.now() > deadline) throw new Error(`the indexer did not reach block ${head} within ${timeoutMs} ms (at ${indexed}):\n${tail}`);
        await sleep(50);
      }
    },
    query: (query, variables = {}) => client.request(query, variables),
    stop,
  };
}
