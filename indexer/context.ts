/** The explicit context every stage's factory receives (no module-level state anywhere). */
import type { Config } from "./config.js";
import type { Db } from "./store/db.js";
import type { Checkpoint } from "./store/store.js";
import type { Logger } from "./ops/logger.js";
import type { Metrics } from "./ops/metrics.js";
import type { Rpc } from "./sync/rpc.js";
import type { CommitNote } from "./api/cache.js";

/** Live sync status, shared by the sync (writer) and the API/ops (readers). */
export interface SyncState {
  chainId: number;
  /** last fully indexed block (committed) */
  checkpoint: Checkpoint | null;
  /** head read by the last successful poll, when (ms since epoch), and when the head last passed its highest value */
  head: number | null;
  headAt: number;
  headAdvancedAt: number;
  /** head − finality: blocks at or below are treated as final */
  finalized: number;
  phase: "starting" | "backfill" | "live" | "stopped" | "failed";
  /** block and time the current backfill started from (progress display) */
  backfillFrom: { block: number; at: number; events: number } | null;
  eventsIndexed: number;
  /** reorgs handled so far (an epoch for caches keyed by block number) */
  reorgs: number;
  consecutiveFailures: number;
  lastError: string | null;
  /** a consistency check (model mismatch, bloom or hash cross-check) failed and the range is being refetched */
  inconsistent: string | null;
  /** stop() was called */
  stopping: boolean;
  /** set when the sync stopped for good (a reorg deeper than finality, a model mismatch that persists) */
  fatal: Error | null;
  /**
   * The last commits of the sync, oldest first, at most `COMMIT_LOG` (`noteCommit`): each one's parent and new
   * checkpoint hashes and the holders it moved (null: it held anything but plain transfers). Lets the response cache
   * keep the answers of holders the blocks did not touch, also across commits made while no request came in.
   */
  commits?: CommitNote[];
  /** API replicas (`serve`): when the writer last published its status (ms since epoch) and its phase */
  writer?: { statusAt: number; phase: string | null };
}

/** Everything a stage needs. */
export interface IndexerContext {
  config: Config;
  log: Logger;
  metrics: Metrics;
  db: Db;
  /** the primary JSON-RPC endpoint */
  rpc: Rpc;
  /** every configured endpoint, primary first (cross-checks and refetches use the others; see sync.ts) */
  rpcs: Rpc[];
  state: SyncState;
  /** aborted on shutdown */
  signal: AbortSignal;
}
