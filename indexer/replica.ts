/**
 * An API replica (`serve`): GraphQL, `/health`, `/ready` and `/metrics` from a PostgreSQL database that another
 * process (`sync`, or `run`) writes. It opens the database read-only (every session `default_transaction_read_only`),
 * never migrates or writes, takes the indexed contracts from the database's fingerprint and follows the writer:
 * every `pollIntervalMs` it reads the checkpoint and the writer's status (`sync_status`) in one statement, so
 * `_meta` and `/ready` describe the writer's checkpoint, head, phase and errors. A rollback by the writer increments
 * `sync_status.reorgs` in its own transaction; the replica then drops its per-block caches (their epoch), so after
 * one poll nothing of an orphaned block is served. Several replicas scale reads out behind a load balancer.
 */
import type { Config } from "./config.js";
import type { IndexerContext, SyncState } from "./context.js";
import type { Indexer } from "./index.js";
import type { Logger } from "./ops/logger.js";
import type { Metrics } from "./ops/metrics.js";
import { migrationFiles, readFingerprint, readWriter } from "./store/store.js";
import { createRpc, sleep, type Rpc } from "./sync/rpc.js";
import { EXIT, StartupError, openConfiguredDb, startApi } from "./startup.js";

const DB_FLAG = "--database-url / DATABASE_URL";

/** An Rpc that explains it was not configured (serve without --rpc). */
function noRpc(): Rpc {
  const fail = () => Promise.reject(new Error("serve was started without --rpc: the time of a block that is not stored cannot be read"));
  return new Proxy({} as Rpc, { get: () => fail });
}

/** Starts a replica of `config` (mode `serve`). */
export async function startReplica(config: Config, log: Logger, metrics: Metrics): Promise<Indexer> {
  const db = await openConfiguredDb(config, { readOnly: true });
  const abort = new AbortController();
  let server: Awaited<ReturnType<typeof startApi>> | null = null;
  try {
    let applied: string[];
    try {
      applied = (await db.query<{ name: string }>("SELECT name FROM _migrations")).map((r) => r.name);
    } catch {
      throw new StartupError(DB_FLAG, "no indexer data in this database: start a writer (`npm run indexer -- sync …`) on it first", EXIT.database);
    }
    const missing = migrationFiles().filter((f) => !applied.includes(f));
    if (missing.length) {
      throw new StartupError(DB_FLAG, `the database lacks migrations ${missing.join(", ")}: start the writer of this version (sync) first`, EXIT.database);
    }
    const fp = await readFingerprint(db);
    if (!fp.get("token")) throw new StartupError(DB_FLAG, "the writer has not recorded its contracts yet: start `sync` first", EXIT.database);
    const opt = (k: string) => (fp.get(k) ? (fp.get(k) as `0x${string}`) : undefined);
    const given = Object.entries(config.contracts).filter(([k, v]) => v && v !== opt(k));
    if (given.length) {
      throw new StartupError(`--${given[0][0] === "wrapperFactory" ? "wrapper-factory" : given[0][0]}`, `the database was indexed with ${given[0][0]} = ${opt(given[0][0]) ?? "(none)"}, not ${given[0][1]}`, EXIT.config);
    }
    const contracts = { token: opt("token"), oracle: opt("oracle"), settlement: opt("settlement"), wrapperFactory: opt("wrapperFactory"), morpho: opt("morpho") };
    const cfg: Config = { ...config, contracts: Object.fromEntries(Object.entries(contracts).filter(([, v]) => v)) as Config["contracts"] };
    const chainId = Number(fp.get("chainId"));
    const rpc = cfg.rpcUrl ? createRpc({ url: cfg.rpcUrl, name: "primary", ...cfg.rpc }, log, metrics, abort.signal) : noRpc();
    const state: SyncState = {
      chainId, checkpoint: null, head: null, headAt: 0, headAdvancedAt: 0, finalized: 0, phase: "starting", backfillFrom: null,
      eventsIndexed: 0, reorgs: 0, consecutiveFailures: 0, lastError: null, inconsistent: null, stopping: false, fatal: null,
      writer: { statusAt: 0, phase: null },
    };
    const ctx: IndexerContext = { config: cfg, log, metrics, db, rpc, rpcs: [rpc], state, signal: abort.signal };

    /** Copies the writer's checkpoint and status into `state`. */
    const follow = async () => {
      const { checkpoint, status } = await readWriter(db);
      state.checkpoint = checkpoint;
      if (checkpoint) metrics.checkpoint.set(checkpoint.number);
      if (!status) return;
      if (status.reorgs !== state.reorgs) {
        if (state.reorgs !== 0 || state.writer!.statusAt !== 0) metrics.reorgs.inc(Math.max(1, status.reorgs - state.reorgs));
        state.reorgs = status.reorgs; // a new cache epoch
      }
      state.head = status.head;
      state.headAt = status.headAt;
      state.headAdvancedAt = status.headAdvancedAt;
      state.finalized = status.finalized;
      state.phase = status.phase as SyncState["phase"];
      state.lastError = status.lastError;
      state.inconsistent = status.inconsistent;
      state.fatal = status.fatal ? new Error(`the writer (sync) stopped: ${status.fatal}`) : null;
      state.writer = { statusAt: status.updatedAt, phase: status.phase };
      if (status.head !== null) metrics.head.set(status.head);
      if (status.head !== null && checkpoint) metrics.lag.set(Math.max(0, status.head - checkpoint.number));
    };
    await follow();
    server = await startApi(ctx);
    const done = (async () => {
      while (!abort.signal.aborted) {
        await sleep(cfg.pollIntervalMs, abort.signal).catch(() => {});
        if (abort.signal.aborted) break;
        try {
          await follow();
          state.consecutiveFailures = 0;
        } catch (e) {
          state.consecutiveFailures++;
          log.warn({ err: String((e as Error)?.message ?? e).slice(0, 300) }, "reading the writer's status failed: retrying");
        }
      }
    })();
    log.info({ chainId, db: db.kind, port: server.port, contracts: cfg.contracts, mode: "serve" }, "indexer started");
    const waitFor = (cond: () => boolean, what: string, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          if (cond()) return resolve();
          if (Date.now() - t0 > timeoutMs) return reject(new Error(`timeout waiting for ${what} (at block ${state.checkpoint?.number ?? "none"})`));
          setTimeout(tick, 20);
        };
        tick();
      });
    let stopped = false;
    const srv = server;
    return {
      config: cfg, port: srv.port, url: `http://${cfg.host}:${srv.port}/graphql`, state, db, metrics, log, done,
      waitForBlock: (n, timeoutMs = 120_000) => waitFor(() => (state.checkpoint?.number ?? -1) >= n, `block ${n}`, timeoutMs),
      waitForHead: (timeoutMs = 120_000) => waitFor(() => state.head !== null && (state.checkpoint?.number ?? -1) >= state.head, "the writer's head", timeoutMs),
      async stop() {
        if (stopped) return;
        stopped = true;
        state.stopping = true;
        abort.abort();
        await done;
        await srv.close();
        await db.close();
        log.info("indexer stopped");
        log.flush?.();
      },
    };
  } catch (e) {
    abort.abort();
    await server?.close();
    await db.close().catch(() => {});
    throw e;
  }
}
