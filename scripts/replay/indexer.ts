/**
 * The indexer running live beside the replay, in-process (`startIndexer` of indexer/), on PGlite in a temporary
 * folder or on the PostgreSQL of `--database-url`, with a small GraphQL client for the summary and the test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startIndexer, type Indexer } from "../../indexer/index.js";
import type { System } from "./deploy.js";
import { createClient } from "../../client/index.js";
import { StartupError, redactUrl } from "../../indexer/startup.js";

/** The replay's indexer and how to reach and stop it. */
export interface LiveIndexer {
  indexer: Indexer;
  /** GraphQL endpoint, e.g. http://127.0.0.1:42069/graphql */
  url: string;
  /** Where the data lives: the PGlite folder or the PostgreSQL URL without its password. */
  store: string;
  /** Blocks between `head` and the last indexed block. */
  lag(head: number): number;
  /** Sends a GraphQL query; throws with the server's messages on errors. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the indexer and removes the temporary PGlite folder. */
  stop(): Promise<void>;
}

/**
 * Starts the indexer of `sys` (and the DeFi contracts `defi`) on `rpcUrl`; `apiPort` 0 picks a free port. Its
 * database: `databaseUrl`, else PGlite in `dataDir`, else in a new temporary folder (set up by copying the indexer's PGlite template, `indexer/store/db.ts`); a
 * PGlite folder is removed by `stop()`.
 */
export async function startLiveIndexer(
  sys: System,
  rpcUrl: string,
  opts: { apiPort: number; databaseUrl?: string; dataDir?: string; defi?: { wrapperFactory: string; morpho: string } },
): Promise<LiveIndexer> {
  const dataDir = opts.databaseUrl ? undefined : (opts.dataDir ?? mkdtempSync(join(tmpdir(), "hashpower-pglite-")));
  let indexer: Indexer;
  try {
    indexer = await startIndexer({
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
    } as Parameters<typeof startIndexer>[0]);
  } catch (e) {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (e instanceof StartupError && e.flag === "--port") throw new StartupError("--api-port", e.message.replace(/^--port: /, ""), e.exitCode);
    throw e;
  }
  const url = indexer.url!;
  const client = createClient({ url });
  return {
    indexer,
    url,
    store: dataDir ? `PGlite in ${dataDir}` : `PostgreSQL ${redactUrl(opts.databaseUrl!)}`,
    lag: (head) => head - (indexer.state.checkpoint?.number ?? sys.fromBlock - 1),
    query: (query, variables = {}) => client.request(query, variables),
    async stop() {
      await indexer.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
