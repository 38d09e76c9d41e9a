/**
 * One small database interface over embedded PGlite and PostgreSQL (`pg`), so the same SQL and migrations
 * run on both. Type normalisation: `numeric` comes back as a decimal string, `int8` as a JS number
 * (block numbers, timestamps), `int4` as a number, `bool` as boolean, `jsonb` as an object.
 */
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

/**
 * Runs PGlite's initdb into `dir` in a short-lived child process. PGlite's initdb is a separate WASM module whose
 * memory stays reserved in the process that ran it (~0.5 GiB high-water mark); running it apart keeps the
 * long-running indexer's footprint to what it actually uses.
 */
function initdb(dir: string): void {
  const mod = import.meta.resolve("@electric-sql/pglite");
  const script = `import { PGlite } from ${JSON.stringify(mod)}; const db = await PGlite.create(process.argv[1]); await db.close();`;
  execFileSync(process.execPath, ["--input-type=module", "-e", script, dir], { stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * Creates a PGlite data folder. initdb costs ~5 s of WASM on a quiet machine (~25 s on a loaded one), so its output
 * is made once per PGlite version and kept as a pristine cluster under the user's cache folder
 * (`$XDG_CACHE_HOME/hashpower` or `~/.cache/hashpower`; it appears there complete or not at all); a new data folder
 * is a copy of it (as `initdb` itself copies `template1`). `HASHPOWER_PGLITE_TEMPLATE=0`, or a cache folder that
 * cannot be written, runs initdb into `dataDir` directly.
 */
function initPgliteDir(dataDir: string): void {
  if (process.env.HASHPOWER_PGLITE_TEMPLATE === "0") return initdb(dataDir);
  let template: string;
  try {
    const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.resolve("@electric-sql/pglite")), "utf8")).version;
    template = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "hashpower", `pglite-${version}`);
    if (!existsSync(join(template, "PG_VERSION"))) {
      const tmp = `${template}.${process.pid}.tmp`;
      mkdirSync(tmp, { recursive: true });
      try {
        initdb(tmp);
        renameSync(tmp, template); // atomic: complete or absent (another process may have won: its copy is as good)
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  } catch {
    return initdb(dataDir);
  }
  cpSync(template, dataDir, { recursive: true });
}

/** Anything that runs a parameterised query. */
export interface Sql {
  query<T = Record<string, any>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction: queries plus bulk loads. */
export interface Tx extends Sql {
  /**
   * Bulk-loads rows with `COPY table (names) FROM` in text format, the fastest way into either database (PGlite
   * ~2.5× an `unnest` insert; PostgreSQL ~3×, and no parameter arrays to build). `chunks` yields the text: whole
   * lines (values tab-separated and escaped, `\N` for NULL, each line ending in `\n`), a few thousand per chunk;
   * it is consumed lazily, so a large load never exists as one string.
   */
  copy(table: string, names: string[], chunks: Iterable<string>): Promise<void>;
}

/** Text per PGlite COPY statement: a larger load is several COPY statements of about this many characters. */
const PGLITE_COPY_CHARS = 2 * 1024 * 1024;

/**
 * COPY for a PGlite connection or transaction: the text travels as a Blob, a few MB at a time (one COPY statement
 * each), so a large load never exists in full as a JavaScript string, a Blob and PGlite's copy of the Blob at once.
 */
function pgliteCopy(q: { query: (text: string, params: unknown[], opts: { blob: Blob }) => Promise<unknown> }) {
  return async (table: string, names: string[], chunks: Iterable<string>) => {
    const statement = `COPY ${table} (${names.join(", ")}) FROM '/dev/blob'`;
    let parts: string[] = [];
    let size = 0;
    for (const chunk of chunks) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= PGLITE_COPY_CHARS) {
        await q.query(statement, [], { blob: new Blob(parts) });
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) await q.query(statement, [], { blob: new Blob(parts) });
  };
}

/** COPY … FROM STDIN on a `pg` client (pg-copy-streams), the chunks streamed as they are made. */
function pgCopy(client: pg.PoolClient) {
  return async (table: string, names: string[], chunks: Iterable<string>) => {
    await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${names.join(", ")}) FROM STDIN`)));
  };
}

/** A database connection (or pool). */
export interface Db extends Sql {
  readonly kind: "pglite" | "postgres";
  /** Runs a script of several statements without parameters. */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Closes cleanly (PGlite: a CHECKPOINT first, so the data folder never depends on WAL replay). */
  close(): Promise<void>;
}

/** Opens the embedded PGlite database in `dataDir` (`memory://` for in-memory). */
export async function openPglite(dataDir: string): Promise<Db> {
  if (!dataDir.includes("://") && !existsSync(join(dataDir, "PG_VERSION"))) initPgliteDir(dataDir);
  // loaded here, not at the top: an indexer on PostgreSQL never holds PGlite's module (~35 MB resident); by require,
  // not import(): the indexer's bundle (indexer/bundle.ts) then holds no dynamic import, which tsx's loader would
  // rewrite with a source map (seconds on a bundle this size)
  const { PGlite } = createRequire(import.meta.url)("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  // PGlite's Postgres runs in this process's WASM heap, which grows to its high-water mark and never shrinks:
  // - 16 MB of shared buffers instead of 128 MB (the OS page cache still caches the data files): ~100 MB less resident;
  // - index builds (the end of a cold backfill, `restoreIndexes`) sort in 4 MB, spilling to temporary files beyond,
  //   instead of holding up to 64 MB (maintenance_work_mem's default) for the rest of the process's life (16 MB
  //   still added 20 MiB resident at the end of a 1,000,000-event backfill; 4 MB adds 3)
  const db = await PGlite.create(dataDir, {
    startParams: [...((PGlite as any).defaultStartParams as string[]), "-c", "shared_buffers=16MB", "-c", "maintenance_work_mem=4MB"],
  });
  let closed = false;
  // single-user PGlite has no checkpointer process: checkpoint every 5 minutes so that recovery after a crash
  // replays little WAL (PGlite serialises it with any running transaction)
  const timer = setInterval(() => void db.query("CHECKPOINT").catch(() => {}), 300_000);
  timer.unref();
  return {
    kind: "pglite",
    async query(text, params) {
      return (await db.query<any>(text, params as any[])).rows;
    },
    async exec(text) {
      await db.exec(text);
    },
    transaction(fn) {
      return db.transaction((tx) =>
        fn({ query: async (text, params) => (await tx.query<any>(text, params as any[])).rows, copy: pgliteCopy(tx as any) }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await db.query("CHECKPOINT");
      await db.close();
    },
  };
}

/**
 * Opens a PostgreSQL pool on `url`. Every connection error is caught and surfaces as a rejected query, never as an
 * unhandled `'error'` event: the pool listens for errors of idle clients, and a client held by a transaction gets
 * its own listener for as long as it is held (a server restart, `57P01 terminating connection due to administrator
 * command`, `Connection terminated unexpectedly`); a client that failed is destroyed, not returned to the pool.
 */
export async function openPostgres(url: string, maxConnections = 10, opts: { readOnly?: boolean } = {}): Promise<Db> {
  const types = {
    getTypeParser(oid: number, format?: any) {
      if (oid === 20) return (v: string) => Number(v); // int8: block numbers and timestamps only
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: url, max: maxConnections, types: types as any, connectionTimeoutMillis: 10_000,
    // an API replica: every transaction of its sessions is read-only (PostgreSQL refuses any write)
    ...(opts.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
  });
  pool.on("error", () => {}); // idle-client errors surface on the next query
  try {
    await pool.query("SELECT 1"); // fail fast on a bad URL
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  let closed = false;
  return {
    kind: "postgres",
    async query(text, params) {
      return (await pool.query(text, params as any[])).rows;
    },
    async exec(text) {
      await pool.query(text);
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (e: Error) => (broken = e); // the pending query rejects too; this only keeps the process alive
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const out = await fn({ query: async (text, params) => (await client.query(text, params as any[])).rows, copy: pgCopy(client) });
        await client.query("COMMIT");
        return out;
      } catch (e) {
        if (!broken) await client.query("ROLLBACK").catch((r) => (broken = r));
        throw e;
      } finally {
        client.removeListener("error", onError);
        client.release(broken ?? undefined);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir`. */
export function openDb(opts: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
