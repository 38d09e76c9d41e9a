/**
 * Start-up checks, each naming the flag or variable at fault and exiting with its documented code (README,
 * `--help`): run before any long work by the indexer CLI and by the main job (`npm start`), so a bad database URL,
 * RPC URL or port is found in seconds, not after a deployment.
 *
 * | exit | cause                                                                          |
 * |------|--------------------------------------------------------------------------------|
 * | 0    | clean stop (SIGINT/SIGTERM)                                                    |
 * | 1    | the sync stopped for good (deep reorg, model mismatch) or an unexpected error  |
 * | 2    | invalid configuration (a flag or variable with a bad value, or a missing one)  |
 * | 3    | the database cannot be used (`--database-url`/`DATABASE_URL`, `--data-dir`)   |
 * | 4    | the JSON-RPC endpoint cannot be used (`--rpc`/`RPC_URL`)                       |
 * | 5    | the HTTP port cannot be bound (`--port`, `--host`)                             |
 */
import { createServer } from "node:net";
import type { Config } from "./config.js";
import type { IndexerContext } from "./context.js";
import { startServer } from "./api/server.js";
import { openDb, openPostgres, type Db } from "./store/db.js";
import { createTransport } from "./sync/rpc.js";

/** Exit codes (see the module comment). */
export const EXIT = { ok: 0, fatal: 1, config: 2, database: 3, rpc: 4, port: 5 } as const;

/** A start-up check that failed: `flag` names the option (and variable), `exitCode` the documented code. */
export class StartupError extends Error {
  constructor(readonly flag: string, message: string, readonly exitCode: number) {
    super(`${flag}: ${message}`);
    this.name = "StartupError";
  }
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 300);

/** A PostgreSQL URL with its password masked. */
export function redactUrl(u: string): string {
  try {
    const x = new URL(u);
    if (x.password) x.password = "***";
    return x.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Connects to PostgreSQL at `url` and runs `SELECT 1` (throws StartupError, exit 3). */
export async function checkDatabase(url: string, flag = "--database-url / DATABASE_URL"): Promise<void> {
  try {
    const db = await openPostgres(url, 1);
    await db.close();
  } catch (e) {
    throw new StartupError(flag, `cannot connect to ${redactUrl(url)}: ${reason(e)}`, EXIT.database);
  }
}

/**
 * Asks `url` for `eth_chainId` (3 attempts within ~10 s; throws StartupError, exit 4). Returns the chain id;
 * with `chainId` given, a different answer fails too.
 */
export async function checkRpc(url: string, flag = "--rpc / RPC_URL", chainId?: number): Promise<number> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const result = await createTransport(url, 3_000).call("eth_chainId", []);
      if (typeof result !== "string") throw new Error(`not a JSON-RPC answer to eth_chainId: ${JSON.stringify(result)?.slice(0, 100)}`);
      const id = Number(BigInt(result));
      if (chainId !== undefined && id !== chainId) throw new StartupError(flag, `${url} serves chain ${id}, expected ${chainId}`, EXIT.rpc);
      return id;
    } catch (e) {
      if (e instanceof StartupError) throw e;
      last = e;
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
  throw new StartupError(flag, `no JSON-RPC answer from ${url}: ${reason(last)}`, EXIT.rpc);
}

/** Binds `port` on `host` and releases it (port 0 always passes; throws StartupError, exit 5). */
export async function checkPort(port: number, host: string, flag = "--port"): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "EADDRINUSE" ? "already in use" : e.code === "EACCES" ? "not allowed (a port below 1024 needs privileges)" : e.code === "EADDRNOTAVAIL" ? `host ${host} is not an address of this machine` : reason(e);
      reject(new StartupError(e.code === "EADDRNOTAVAIL" ? "--host" : flag, `cannot listen on ${host}:${port}: ${why}`, EXIT.port));
    });
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

/** Opens the database of `config`; a failure is a StartupError naming the flag (exit 3). */
export async function openConfiguredDb(config: Config, opts: { readOnly?: boolean } = {}): Promise<Db> {
  try {
    return config.databaseUrl && opts.readOnly ? await openPostgres(config.databaseUrl, 10, { readOnly: true }) : await openDb(config);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).slice(0, 300);
    if (config.databaseUrl) throw new StartupError("--database-url / DATABASE_URL", `cannot connect to ${redactUrl(config.databaseUrl)}: ${why}`, EXIT.database);
    throw new StartupError("--data-dir / PGLITE_DIR", `cannot open PGlite in ${config.dataDir}: ${why}`, EXIT.database);
  }
}

/** Starts the HTTP API of `ctx`; a port that cannot be bound is a StartupError naming --port (exit 5). */
export async function startApi(ctx: IndexerContext) {
  try {
    return await startServer(ctx);
  } catch (e: any) {
    const why = e?.code === "EADDRINUSE" ? "already in use" : e?.code === "EACCES" ? "not allowed" : String(e?.message ?? e).slice(0, 200);
    throw new StartupError(e?.code === "EADDRNOTAVAIL" ? "--host" : "--port", `cannot listen on ${ctx.config.host}:${ctx.config.port}: ${why}`, EXIT.port);
  }
}
