/** Starting in-process indexers against the test chain, on PGlite or on PostgreSQL. */
import { startIndexer, type Indexer } from "../../../indexer/index.js";
import type { ConfigInput } from "../../../indexer/config.js";
import type { Logger } from "../../../indexer/ops/logger.js";
import { sharedPostgres } from "./env.js";
import type { System } from "./system.js";

export type DbKind = "pglite" | "postgres";

/**
 * Starts an indexer of `sys` on `rpcUrl` with a fresh database of `kind` (in-memory PGlite by default; `over` may name
 * another) and `opts` as `startIndexer` takes them (a logger).
 */
export async function indexerFor(sys: System, rpcUrl: string, kind: DbKind, over: Partial<ConfigInput> = {}, opts: { logger?: Logger } = {}): Promise<Indexer> {
  const db = kind === "postgres" ? { databaseUrl: await (await sharedPostgres()).newDatabase() } : { dataDir: "memory://" };
  return startIndexer({
    rpcUrl,
    ...db,
    contracts: { token: sys.addresses.token, oracle: sys.addresses.oracle, settlement: sys.addresses.settlement },
    fromBlock: sys.fromBlock,
    finality: 3,
    port: 0,
    pollIntervalMs: 50,
    stallTimeoutMs: 600_000, // the test chain mines on demand: its head stands still between transactions
    logLevel: process.env.INDEXER_LOG ?? "silent",
    progress: false,
    ...over,
  } as ConfigInput, opts);
}

/** Count of events that disagreed with the contract model (must stay 0). */
export async function mismatches(idx: Indexer): Promise<number> {
  return (await idx.metrics.mismatches.get()).values[0]?.value ?? 0;
}
