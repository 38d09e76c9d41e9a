/**
 * hashpower indexer: `startIndexer(config)` runs sync + API in-process (CLI, main job, tests); `mode: "sync"` only
 * writes, `mode: "serve"` only serves, read-only, from the PostgreSQL database a writer fills (`replica.ts`).
 *
 * Stages, one folder each: `sync/` (JSON-RPC, adaptive ranges, reorgs) → `handlers/` (events → rows, with the
 * contract's accumulator from `domain/`) → `store/` (PGlite or PostgreSQL, versioned tables, checkpoint) →
 * `api/` (GraphQL, health, metrics); `ops/` holds logging, metrics and the progress display.
 */
import { parseConfig, type Config, type ConfigInput } from "./config.js";
import type { IndexerContext, SyncState } from "./context.js";
import type { Db } from "./store/db.js";
import { checkFingerprint, migrate, resetStore, writeSyncStatus } from "./store/store.js";
import { createLogger, type Logger } from "./ops/logger.js";
import { createMetrics, type Metrics } from "./ops/metrics.js";
import { startProgress } from "./ops/progress.js";
import { createRpc } from "./sync/rpc.js";
import { createSync } from "./sync/sync.js";
import { startServer } from "./api/server.js";
import { startReplica } from "./replica.js";
import { EXIT, StartupError, openConfiguredDb, startApi } from "./startup.js";

export { parseConfig, ConfigError, type Config, type ConfigInput } from "./config.js";
export { DeepReorgError, ModelMismatchError } from "./sync/sync.js";
export { EXIT, StartupError } from "./startup.js";

/** A running indexer. */
export interface Indexer {
  config: Config;
  /** HTTP port of the API (null with `api: false`) */
  port: number | null;
  /** GraphQL URL (null with `api: false`) */
  url: string | null;
  state: SyncState;
  db: Db;
  metrics: Metrics;
  log: Logger;
  /** Resolves once block `n` is indexed; rejects on a fatal sync error or after `timeoutMs`. */
  waitForBlock(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the indexer has caught up with the node's current head. */
  waitForHead(timeoutMs?: number): Promise<void>;
  /** Settles when the sync loop ends (rejects with the fatal error: `DeepReorgError`, `ModelMismatchError`). */
  done: Promise<void>;
  /** Stops syncing (after the current range commits), closes the API and the database. */
  stop(): Promise<void>;
}

/**
 * Publishes the writer's status to `sync_status` for API replicas: checked every `everyMs`, written when something
 * besides the poll times (`headAt`, `updatedAt`) changed, else as a heartbeat every `heartbeatMs` (replicas judge
 * the writer gone after `stallTimeoutMs` without one), and once more on `stop()`. An idle chain thus costs the
 * database one write per heartbeat, not one per poll.
 */
function startStatusPublisher(ctx: IndexerContext, everyMs: number, heartbeatMs: number) {
  const { state, db } = ctx;
  let busy: Promise<void> = Promise.resolve();
  let last = "";
  let lastAt = 0;
  const publish = (force: boolean) => {
    const s = {
      chainId: state.chainId, head: state.head, headAt: state.headAt, headAdvancedAt: state.headAdvancedAt, finalized: state.finalized,
      phase: state.phase, fatal: state.fatal?.message ?? null, lastError: state.lastError, inconsistent: state.inconsistent, updatedAt: Date.now(),
    };
    const key = JSON.stringify([s.head, s.headAdvancedAt, s.finalized, s.phase, s.fatal, s.lastError, s.inconsistent]);
    if (!force && key === last && s.updatedAt - lastAt < heartbeatMs) return busy;
    last = key;
    lastAt = s.updatedAt;
    return (busy = busy.then(() => writeSyncStatus(db, s).catch((e) => ctx.log.debug({ err: String(e?.message ?? e) }, "status not published"))));
  };
  const timer = setInterval(() => void publish(false), everyMs);
  timer.unref();
  void publish(true);
  return {
    async stop() {
      clearInterval(timer);
      await publish(true);
    },
  };
}

/**
 * Starts an indexer. Throws `ConfigError` on bad configuration (naming the field), `StartupError` when the database,
 * the JSON-RPC endpoint or the port cannot be used (naming the flag, with its exit code).
 */
export async function startIndexer(input: ConfigInput, opts: { logger?: Logger } = {}): Promise<Indexer> {
  const config = parseConfig(input);
  const log = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  if (config.mode === "serve") return startReplica(config, log, metrics);
  const abort = new AbortController();
  const db = await openConfiguredDb(config);
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let done: Promise<void> | null = null;
  try {
    if (config.reset) await resetStore(db);
    const rpcs = [config.rpcUrl!, ...config.rpcUrls].map((url, i) => createRpc({ url, name: i === 0 ? "primary" : `rpc${i + 1}`, ...config.rpc }, log, metrics, abort.signal));
    const rpc = rpcs[0];
    const state: SyncState = {
      chainId: 0, checkpoint: null, head: null, headAt: 0, headAdvancedAt: 0, finalized: 0, phase: "starting", backfillFrom: null,
      eventsIndexed: 0, reorgs: 0, consecutiveFailures: 0, lastError: null, inconsistent: null, stopping: false, fatal: null,
    };
    const ctx: IndexerContext = { config, log, metrics, db, rpc, rpcs, state, signal: abort.signal };
    const sync = createSync(ctx);
    // asked before a head start's first eth_getLogs, which a node may answer first
    const chainIdAnswer = rpc.chainId();
    chainIdAnswer.catch(() => {}); // awaited below unless this fails first
    // a cold start asks the node for its first range while the store migrates (on PostgreSQL, see sync.ts)
    await sync.headStart();
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, "migrations applied");
    const chainId = await chainIdAnswer.catch((e) => {
      throw new StartupError("--rpc / RPC_URL", `no JSON-RPC answer from ${config.rpcUrl}: ${String(e?.message ?? e).slice(0, 300)}`, EXIT.rpc);
    });
    await checkFingerprint(db, {
      chainId,
      token: config.contracts.token!,
      oracle: config.contracts.oracle ?? "",
      settlement: config.contracts.settlement ?? "",
      fromBlock: config.fromBlock,
      wrapperFactory: config.contracts.wrapperFactory ?? "",
      morpho: config.contracts.morpho ?? "",
    });
    state.chainId = chainId;
    for (const [i, other] of rpcs.slice(1).entries()) {
      const id = await other.chainId();
      if (id !== chainId) throw new Error(`rpcUrls[${i}]: chain id ${id}, the primary endpoint's is ${chainId}`);
    }
    // the sync starts first: the node works on its first eth_getLogs while the API is built (~0.1 s)
    const running = (done = sync.run());
    running.catch(() => {}); // observed through `done`/waitFor*
    if (config.api && config.mode === "run") server = await startApi(ctx);
    const status = startStatusPublisher(ctx, Math.max(200, config.pollIntervalMs), Math.min(5_000, config.stallTimeoutMs / 4));
    const stopProgress = startProgress(ctx, { tty: config.progress ?? process.stderr.isTTY === true });
    log.info(
      { chainId, db: db.kind, dataDir: config.databaseUrl ? undefined : config.dataDir, port: server?.port, contracts: config.contracts, finality: config.finality },
      "indexer started",
    );
    let stopped = false;

    const waitFor = (cond: () => boolean, what: string, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          if (state.fatal) return reject(state.fatal);
          if (cond()) return resolve();
          if (Date.now() - t0 > timeoutMs) return reject(new Error(`timeout waiting for ${what} (at block ${state.checkpoint?.number ?? "none"})`));
          setTimeout(tick, 20);
        };
        tick();
      });

    return {
      config, port: server?.port ?? null, url: server ? `http://${config.host}:${server.port}/graphql` : null, state, db, metrics, log, done: running,
      waitForBlock: (n, timeoutMs = 120_000) => waitFor(() => (state.checkpoint?.number ?? -1) >= n, `block ${n}`, timeoutMs),
      async waitForHead(timeoutMs = 120_000) {
        const head = await rpc.blockNumber();
        await waitFor(() => (state.checkpoint?.number ?? -1) >= head, `head ${head}`, timeoutMs);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        state.stopping = true; // /ready 503 from now on
        abort.abort();
        await running.catch(() => {});
        await status.stop();
        stopProgress();
        await server?.close();
        await db.close();
        log.info("indexer stopped");
        log.flush?.();
      },
    };
  } catch (e) {
    abort.abort();
    await done?.catch(() => {}); // the sync stops after its current step, before the database closes
    await server?.close();
    await db.close().catch(() => {});
    throw e;
  }
}
