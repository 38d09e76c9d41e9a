/**
 * One small database interface over embedded PGlite and PostgreSQL (`pg`), so the same SQL and migrations
 * run on both. Type normalisation: `numeric` comes back as a decimal string, `int8` as a JS number
 * (block numbers, timestamps), `int4` as a number, `bool` as boolean, `jsonb` as an object.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Anything that runs a parameterised query. */
export interface Sql {
  query<T = Record<string, any>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A database connection (or pool). */
export interface Db extends Sql {
  readonly kind: "pglite" | "postgres";
  /** Runs a script of several statements without parameters. */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Closes cleanly (PGlite: a CHECKPOINT first, so the data folder never depends on WAL replay). */
  close(): Promise<void>;
}

/** Opens the embedded PGlite database in `dataDir` (`memory://` for in-memory). */
export async function openPglite(dataDir: string): Promise<Db> {
  const db = await PGlite.create(dataDir);
  let closed = false;
  return {
    kind: "pglite",
    async query(text, params) {
      return (await db.query<any>(text, params as any[])).rows;
    },
    async exec(text) {
      await db.exec(text);
    },
    transaction(fn) {
      return db.transaction((tx) => fn({ query: async (text, params) => (await tx.query<any>(text, params as any[])).rows }));
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.query("CHECKPOINT");
      await db.close();
    },
  };
}

/** Opens a PostgreSQL pool on `url`. */
export async function openPostgres(url: string, maxConnections = 10): Promise<Db> {
  const types = {
    getTypeParser(oid: number, format?: any) {
      if (oid === 20) return (v: string) => Number(v); // int8: block numbers and timestamps only
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, types: types as any });
  pool.on("error", () => {}); // idle-client errors surface on the next query
  await pool.query("SELECT 1"); // fail fast on a bad URL
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
      try {
        await client.query("BEGIN");
        const out = await fn({ query: async (text, params) => (await client.query(text, params as any[])).rows });
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
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
