/**
 * Store operations outside the handlers: migrations, the checkpoint, recent block headers, rollback after a
 * reorg, and the settings fingerprint that protects an index from being continued with different contracts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db, Sql } from "./db.js";
import { eventTables, versionedTables } from "./tables.js";

const SQL_DIR = fileURLToPath(new URL("./sql/", import.meta.url));

/** Block header fields the sync keeps. */
export interface BlockRef {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

/** The last fully indexed block. */
export interface Checkpoint {
  number: number;
  hash: string;
  timestamp: number;
}

/** Names of the migrations in `dir` (this version's: `sql/`), in order. */
export function migrationFiles(dir = SQL_DIR): string[] {
  return readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
}

/** The writer's status as API replicas read it (`sync_status`). */
export interface SyncStatusRow {
  chainId: number | null;
  head: number | null;
  headAt: number;
  headAdvancedAt: number;
  finalized: number;
  phase: string;
  fatal: string | null;
  lastError: string | null;
  inconsistent: string | null;
  reorgs: number;
  updatedAt: number;
}

/** Publishes the writer's status (all but `reorgs`, which `rollback` counts). */
export async function writeSyncStatus(sql: Sql, s: Omit<SyncStatusRow, "reorgs">): Promise<void> {
  await sql.query(
    `INSERT INTO sync_status (id, chain_id, head, head_at, head_advanced_at, finalized, phase, fatal, last_error, inconsistent, updated_at)
     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET chain_id = $1, head = $2, head_at = $3, head_advanced_at = $4, finalized = $5, phase = $6,
       fatal = $7, last_error = $8, inconsistent = $9, updated_at = $10`,
    [s.chainId, s.head, s.headAt, s.headAdvancedAt, s.finalized, s.phase, s.fatal, s.lastError, s.inconsistent, s.updatedAt],
  );
}

/** The writer's checkpoint and status in one statement (null status: no writer has published yet). */
export async function readWriter(sql: Sql): Promise<{ checkpoint: Checkpoint | null; status: SyncStatusRow | null }> {
  const [r] = await sql.query(
    `SELECT c.block_number, c.block_hash, c.block_timestamp, s.* FROM (SELECT 1) x
     LEFT JOIN checkpoint c ON c.id = 1 LEFT JOIN sync_status s ON s.id = 1`,
  );
  const checkpoint = r?.block_number == null ? null : { number: Number(r.block_number), hash: r.block_hash, timestamp: Number(r.block_timestamp) };
  const status =
    r?.id == null
      ? null
      : {
          chainId: r.chain_id == null ? null : Number(r.chain_id), head: r.head == null ? null : Number(r.head), headAt: Number(r.head_at ?? 0),
          headAdvancedAt: Number(r.head_advanced_at ?? 0), finalized: Number(r.finalized ?? 0), phase: r.phase ?? "starting", fatal: r.fatal,
          lastError: r.last_error, inconsistent: r.inconsistent, reorgs: Number(r.reorgs), updatedAt: Number(r.updated_at ?? 0),
        };
  return { checkpoint, status };
}

/** The stored fingerprint (`meta`): the chain and contracts the data was indexed from. */
export async function readFingerprint(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql.query<{ key: string; value: string }>("SELECT key, value FROM meta");
  return new Map(rows.map((r) => [r.key, r.value]));
}

/**
 * Applies the pending `NNN_*.sql` migrations of `dir` (this version's `sql/` unless a test names another) in order,
 * all of them in one script: one round trip and one transaction (the statements of one simple query commit together
 * or not at all, on PostgreSQL and PGlite alike), so a failing migration leaves the store as it was. A fresh store
 * gets its six in ~0.1 s instead of ~0.2 s one statement at a time. Returns the names applied (file names, in order;
 * empty when none was pending). Throws the database's error of the first failing statement, with nothing applied.
 */
export async function migrate(db: Db, dir = SQL_DIR): Promise<string[]> {
  await db.exec(
    "CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const done = new Set((await db.query<{ name: string }>("SELECT name FROM _migrations")).map((r) => r.name));
  const pending = migrationFiles(dir).filter((f) => !done.has(f));
  if (pending.length === 0) return [];
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await db.exec(pending.map((f) => `${readFileSync(join(dir, f), "utf8")}\n;\nINSERT INTO _migrations (name) VALUES (${quote(f)});`).join("\n"));
  return pending;
}

/** Drops every indexer table (for `--reset`). */
export async function resetStore(db: Db): Promise<void> {
  const names = [
    ...Object.values(versionedTables).map((t) => t.name),
    ...Object.values(eventTables).map((t) => t.name),
    "checkpoint",
    "blocks",
    "block_times",
    "sync_status",
    "deferred_indexes",
    "meta",
    "_migrations",
  ];
  await db.exec(names.map((n) => `DROP TABLE IF EXISTS ${n} CASCADE;`).join("\n"));
}

/**
 * The secondary indexes of the data tables that the writer never reads: neither unique nor a primary key (those the
 * writer needs: `*_current` to load and close current rows, the primary keys). Only the API's queries use them.
 */
async function apiOnlyIndexes(sql: Sql): Promise<{ name: string; definition: string }[]> {
  const tables = [...Object.values(versionedTables), ...Object.values(eventTables)].map((t) => t.name);
  return sql.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE NOT i.indisunique AND NOT i.indisprimary AND n.nspname = current_schema() AND t.relname = ANY($1::text[])
     ORDER BY c.relname`,
    [tables],
  );
}

/**
 * Sets the API-only secondary indexes aside for a cold backfill (one transaction): records each one's definition in
 * `deferred_indexes` and drops it. Maintaining ~20 indexes row by row was most of the database's work in a backfill
 * (every transfer enters three, every position version three); `restoreIndexes` builds them once, sorted, at the
 * end. Idempotent (after a crash it finds them already set aside). Meanwhile the API answers the same, more slowly.
 * Returns how many indexes are set aside.
 */
export async function deferIndexes(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    for (const ix of await apiOnlyIndexes(tx)) {
      await tx.query("INSERT INTO deferred_indexes (name, definition) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [ix.name, ix.definition]);
      await tx.query(`DROP INDEX ${ix.name}`);
    }
    return Number((await tx.query("SELECT count(*) AS n FROM deferred_indexes"))[0].n);
  });
}

/** How many indexes a backfill has set aside (`deferIndexes`) and not yet rebuilt. */
export async function deferredIndexCount(sql: Sql): Promise<number> {
  return Number((await sql.query("SELECT count(*) AS n FROM deferred_indexes"))[0].n);
}

/**
 * Rebuilds the indexes `deferIndexes` set aside, then forgets them. Returns how many. Two are asked for at a time: on
 * PostgreSQL they build on two connections (18 indexes over a 100,000-event store: ~0.70 s instead of ~0.87 s with the
 * machine's other core busy); PGlite runs its queries one after the other. Each `CREATE INDEX IF NOT EXISTS` commits on
 * its own: after a crash the next start rebuilds those still missing. Throws the first failing build's error (the
 * other stops after its current index); `deferred_indexes` then still lists them all, so the next call finishes the job.
 */
export async function restoreIndexes(db: Db): Promise<number> {
  const rows = await db.query<{ name: string; definition: string }>("SELECT name, definition FROM deferred_indexes ORDER BY name");
  const queue = [...rows];
  const builder = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      try {
        await db.query(r.definition.replace(/^CREATE INDEX /, "CREATE INDEX IF NOT EXISTS "));
      } catch (e) {
        queue.length = 0; // the other builder stops after its current index: none is left running when this throws
        throw e;
      }
    }
  };
  const built = await Promise.allSettled([builder(), builder()]);
  for (const b of built) if (b.status === "rejected") throw b.reason;
  await db.query("DELETE FROM deferred_indexes");
  return rows.length;
}

/** Reads the checkpoint, or null on a fresh store. */
export async function readCheckpoint(sql: Sql): Promise<Checkpoint | null> {
  const [r] = await sql.query("SELECT block_number, block_hash, block_timestamp FROM checkpoint WHERE id = 1");
  return r ? { number: Number(r.block_number), hash: r.block_hash, timestamp: Number(r.block_timestamp) } : null;
}

/**
 * Whether the store holds a checkpoint: false also before `migrate` has made its tables (one query, or two; the sync's
 * head start asks it before migrating). Throws the database's error when a query fails.
 */
export async function hasCheckpoint(sql: Sql): Promise<boolean> {
  const [r] = await sql.query<{ t: string | null }>("SELECT to_regclass('checkpoint')::text AS t");
  return r?.t != null && (await readCheckpoint(sql)) !== null;
}

/** Writes the checkpoint (inside the range's transaction). */
export async function writeCheckpoint(sql: Sql, cp: Checkpoint): Promise<void> {
  await sql.query(
    `INSERT INTO checkpoint (id, block_number, block_hash, block_timestamp, updated_at) VALUES (1, $1, $2, $3, now())
     ON CONFLICT (id) DO UPDATE SET block_number = $1, block_hash = $2, block_timestamp = $3, updated_at = now()`,
    [cp.number, cp.hash, cp.timestamp],
  );
}

/** Stores headers of recent blocks and forgets those below `keepFrom` (they are final), except `cp`. */
export async function saveBlocks(sql: Sql, blocks: BlockRef[], keepFrom: number, cp: number): Promise<void> {
  if (blocks.length > 0) {
    await sql.query(
      `INSERT INTO blocks (number, hash, parent_hash, timestamp)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
      [blocks.map((b) => b.number), blocks.map((b) => b.hash), blocks.map((b) => b.parentHash), blocks.map((b) => b.timestamp)],
    );
  }
  await sql.query("DELETE FROM blocks WHERE number < $1 AND number <> $2", [keepFrom, cp]);
}

/** Records the timestamps (unix seconds) of blocks holding events (`block_times`). */
export async function saveBlockTimes(sql: Sql, blocks: { number: number; timestamp: number }[]): Promise<void> {
  if (blocks.length === 0) return;
  await sql.query(
    `INSERT INTO block_times (number, timestamp) SELECT * FROM unnest($1::bigint[], $2::bigint[])
     ON CONFLICT (number) DO UPDATE SET timestamp = EXCLUDED.timestamp`,
    [blocks.map((b) => b.number), blocks.map((b) => b.timestamp)],
  );
}

/** Blocks holding indexed events without a recorded timestamp (a store indexed before `block_times`). */
export async function blocksWithoutTime(sql: Sql, limit: number): Promise<number[]> {
  const union = Object.values(eventTables).map((t) => `SELECT block_number FROM ${t.name}`).join(" UNION ");
  const rows = await sql.query(
    `SELECT e.block_number FROM (${union}) e WHERE NOT EXISTS (SELECT 1 FROM block_times b WHERE b.number = e.block_number)
     ORDER BY e.block_number LIMIT ${limit}`,
  );
  return rows.map((r) => Number(r.block_number));
}

/** Stored headers at or below `atOrBelow`, newest first. */
export async function recentBlocks(sql: Sql, atOrBelow: number): Promise<BlockRef[]> {
  const rows = await sql.query(
    "SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number <= $1 ORDER BY number DESC",
    [atOrBelow],
  );
  return rows.map((r) => ({ number: Number(r.number), hash: r.hash, parentHash: r.parent_hash, timestamp: Number(r.timestamp) }));
}

/**
 * Rolls every table back to the end of block `fork` (a reorg): removes events and entity versions of later
 * blocks, reopens versions that later blocks had closed, forgets later headers and moves the checkpoint.
 */
export async function rollback(sql: Sql, fork: BlockRef): Promise<void> {
  for (const t of Object.values(versionedTables)) {
    await sql.query(`DELETE FROM ${t.name} WHERE block_from > $1`, [fork.number]);
    await sql.query(`UPDATE ${t.name} SET block_to = NULL WHERE block_to > $1`, [fork.number]);
  }
  for (const t of Object.values(eventTables)) {
    await sql.query(`DELETE FROM ${t.name} WHERE block_number > $1`, [fork.number]);
  }
  await sql.query("DELETE FROM blocks WHERE number > $1", [fork.number]);
  await sql.query("DELETE FROM block_times WHERE number > $1", [fork.number]);
  await sql.query("INSERT INTO sync_status (id, reorgs) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET reorgs = sync_status.reorgs + 1");
  await writeCheckpoint(sql, { number: fork.number, hash: fork.hash, timestamp: fork.timestamp });
}

/** Settings the indexed data depends on. */
export interface Fingerprint {
  chainId: number;
  token: string;
  oracle: string;
  settlement: string;
  fromBlock: number;
  /** DeFi contracts ("" = not indexed); absent from stores made before they were indexed, which read as "" */
  wrapperFactory?: string;
  morpho?: string;
}

/** Settings added after version 1: a store without them was indexed without them. */
const OPTIONAL = { wrapperFactory: true, morpho: true };

/**
 * Records the fingerprint on a fresh store, or checks it against the stored one. Throws naming the first
 * setting that differs (continuing would mix two chains or two deployments; use `--reset`).
 */
export async function checkFingerprint(db: Db, fp: Fingerprint): Promise<void> {
  const rows = await db.query<{ key: string; value: string }>("SELECT key, value FROM meta");
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  if (stored.size === 0) {
    await db.transaction(async (tx) => {
      for (const [k, v] of Object.entries(fp)) {
        if (v !== undefined) await tx.query("INSERT INTO meta (key, value) VALUES ($1, $2)", [k, String(v)]);
      }
    });
    return;
  }
  for (const [k, v] of Object.entries(fp)) {
    if (v === undefined) continue;
    if ((stored.get(k) ?? (k in OPTIONAL ? "" : undefined)) !== String(v)) {
      throw new Error(
        `the database was indexed with ${k} = ${stored.get(k) ?? "(none)"}, the configuration says ${v}: ` +
          "point it at another database/data folder, or start with --reset to reindex",
      );
    }
  }
}
