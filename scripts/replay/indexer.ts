/**
 * The indexer running live beside the replay, in a worker thread of this process (`startIndexer` of indexer/, see
 * indexer-worker.ts), on PGlite in a temporary folder or on the PostgreSQL of `--database-url`, with a small GraphQL
 * client for the summary and the test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { System } from "./deploy.js";
import type { WorkerError } from "./indexer-worker.js";
import { createClient } from "../../client/index.js";
import { StartupError, redactUrl } from "../../indexer/startup.js";

/** The replay's indexer and how to reach and stop it. */
export interface LiveIndexer {
  /** GraphQL endpoint, e.g. http://127.0.0.1:42069/graphql */
  url: string;
  /** Where the data lives: the PGlite folder or the PostgreSQL URL without its password. */
  store: string;
  /** The last indexed block, as the worker last told (every 50 ms, and when a `waitForHead` resolves). */
  block(): number;
  /** Blocks between `head` and the last indexed block. */
  lag(head: number): number;
  /** Resolves once the indexer has indexed the chain's head (`Indexer.waitForHead`); rejects after `timeoutMs`. */
  waitForHead(timeoutMs?: number): Promise<void>;
  /** Sends a GraphQL query; throws with the server's messages on errors. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the indexer and removes the temporary PGlite folder. */
  stop(): Promise<void>;
}

/**
 * The worker's module, loaded through tsx's ESM hooks registered in the worker itself: the hooks of `node --import
 * tsx` (npm start) and of the test runner do not reach a worker thread.
 */
const WORKER = `const { register } = require("tsx/esm/api"); register(); import(${JSON.stringify(new URL("./indexer-worker.ts", import.meta.url).href)});`;

const fromData = (e: WorkerError): Error => {
  const err = e.startup ? new StartupError(e.startup.flag, e.message, e.startup.exitCode) : new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
};

/**
 * Starts the indexer of `sys` (and the DeFi contracts `defi`) on `rpcUrl` in a worker thread; `apiPort` 0 picks a
 * free port. Its database: `databaseUrl`, else PGlite in a new temporary folder (a copy of the indexer's PGlite
 * template, `indexer/store/db.ts`), removed by `stop()`.
 */
export async function startLiveIndexer(
  sys: System,
  rpcUrl: string,
  opts: { apiPort: number; databaseUrl?: string; defi?: { wrapperFactory: string; morpho: string } },
): Promise<LiveIndexer> {
  const dataDir = opts.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), "hashpower-pglite-"));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      rpcUrl,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl, reset: true } : { dataDir }),
      contracts: { token: sys.addresses.token, oracle: sys.addresses.oracle, settlement: sys.addresses.settlement, ...opts.defi },
      fromBlock: sys.fromBlock,
      finality: 2,
      port: opts.apiPort,
      // follows the chain in 1-second steps: ~16 blocks a step at the replay's pace instead of one block per poll,
      // fewer requests to the node and fewer database transactions beside the replay on the same cores
      pollIntervalMs: 1_000,
      logLevel: process.env.INDEXER_LOG_LEVEL ?? "error",
      progress: false,
    },
  });
  let checkpoint = sys.fromBlock - 1;
  let waits = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let stopped: (() => void) | undefined;
  let exited = false;
  const ready = new Promise<string>((resolve, reject) => {
    worker.on("message", (m) => {
      if (m.type === "ready") resolve(m.url);
      else if (m.type === "failed") reject(fromData(m.error));
      else if (m.type === "checkpoint") checkpoint = m.number;
      else if (m.type === "done") {
        const p = pending.get(m.id)!;
        pending.delete(m.id);
        if (m.error) p.reject(fromData(m.error));
        else p.resolve();
      } else if (m.type === "stopped") stopped?.();
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      exited = true;
      const e = new Error(`the indexer's worker exited (code ${code})`);
      reject(e);
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      stopped?.();
    });
  });
  let url: string;
  try {
    url = await ready;
  } catch (e) {
    await worker.terminate();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (e instanceof StartupError && e.flag === "--port") throw new StartupError("--api-port", e.message.replace(/^--port: /, ""), e.exitCode);
    throw e;
  }
  const client = createClient({ url });
  let stopping: Promise<void> | undefined;
  return {
    url,
    store: dataDir ? `PGlite in ${dataDir}` : `PostgreSQL ${redactUrl(opts.databaseUrl!)}`,
    block: () => checkpoint,
    lag: (head) => head - checkpoint,
    waitForHead: (timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        if (exited) return reject(new Error("the indexer's worker has exited"));
        const id = ++waits;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: "waitForHead", id, timeoutMs });
      }),
    query: (query, variables = {}) => client.request(query, variables),
    stop: () =>
      (stopping ??= (async () => {
        if (!exited) {
          const done = new Promise<void>((r) => (stopped = r));
          worker.postMessage({ type: "stop" });
          await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
          await worker.terminate();
        }
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}
