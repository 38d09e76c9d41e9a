/**
 * Indexer configuration, validated with zod. Every error names the offending field
 * (e.g. `contracts.token: invalid address "0x12"`), so a bad flag or environment variable is obvious.
 */
import { z } from "zod";
import { isAddress } from "viem";

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), (s) => ({ message: `invalid address "${s}"` }))
  .transform((s) => s.toLowerCase() as `0x${string}`);

const url = (protocols: RegExp, what: string) =>
  z.string().refine((s) => {
    try {
      return protocols.test(new URL(s).protocol);
    } catch {
      return false;
    }
  }, (s) => ({ message: `invalid ${what} URL "${s}"` }));

/** Full schema; defaults are the CLI's defaults. */
export const configSchema = z
  .object({
    /**
     * What the process does: `run` syncs and serves (one process); `sync` only writes the database (no HTTP API);
     * `serve` only serves GraphQL, `/health`, `/ready` and `/metrics`, read-only, from the PostgreSQL database a
     * `sync` (or `run`) process writes; several `serve` processes scale the API out behind a load balancer.
     */
    mode: z.enum(["run", "sync", "serve"]).default("run"),
    /**
     * JSON-RPC endpoint (http/https): the primary, which serves every read. Required by `run` and `sync`; optional
     * for `serve` (there it only reads the time of an as-of block that is not stored).
     */
    rpcUrl: url(/^https?:$/, "JSON-RPC").optional(),
    /**
     * More JSON-RPC endpoints (other providers). Policy: the primary serves every read; the next endpoint re-reads
     * the hash of each checkpoint before it is committed, refetches a range whose logs disagree with the blocks'
     * blooms or with the contract model, and confirms a deep-reorg verdict (see sync.ts). Without them the primary
     * verifies itself with a second request.
     */
    rpcUrls: z.array(url(/^https?:$/, "JSON-RPC")).max(8).default([]),
    /**
     * PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used (one process only:
     * `serve` needs PostgreSQL).
     */
    databaseUrl: url(/^postgres(ql)?:$/, "PostgreSQL").optional(),
    /** PGlite data folder (`memory://` for an in-memory database). */
    dataDir: z.string().min(1).default(".pglite"),
    /**
     * Addresses of the indexed contracts; the token is required, the others optional. DeFi: the
     * `SeriesWrapperFactory` (its wrappers are found from its `WrapperCreated` events) and Morpho Blue (needs
     * the factory). With the factory set, every `SeriesValuationOracle` of its wrappers is found from its
     * `Configured` event.
     */
    contracts: z
      .object({
        /** required by `run` and `sync`; `serve` reads the addresses the database was indexed with */
        token: address.optional(),
        oracle: address.optional(),
        settlement: address.optional(),
        wrapperFactory: address.optional(),
        morpho: address.optional(),
      })
      .strict()
      .default({}),
    /** First block to index (the deployment block; earlier blocks hold no events of these contracts). */
    fromBlock: z.number().int().min(0).default(0),
    /** Blocks behind head considered final: only the last `finality` blocks are tracked for reorgs. */
    finality: z.number().int().min(0).max(100_000).default(12),
    /** HTTP port of the API (0 = any free port) and interface to bind. */
    port: z.number().int().min(0).max(65_535).default(42069),
    host: z.string().min(1).default("127.0.0.1"),
    /** Live-mode polling interval, ms. */
    pollIntervalMs: z.number().int().min(10).max(600_000).default(1_000),
    /** `/ready` answers 200 when within this many blocks of the head. */
    readyLagBlocks: z.number().int().min(0).default(5),
    /**
     * `/ready` also fails when the head could not be read, or has not advanced, for this long (a stalled node or
     * realtime), ms. Chains that mine on demand (a dev node) need a large value.
     */
    stallTimeoutMs: z.number().int().min(1_000).default(60_000),
    /** Refetches of a range whose events disagree with the contract model before the sync stops (`/health` 503). */
    maxMismatchRetries: z.number().int().min(0).max(100).default(2),
    rpc: z
      .object({
        /** Per-request timeout, ms. */
        timeoutMs: z.number().int().min(100).default(15_000),
        /** Retries of a transient failure (timeout, 429, 5xx, dropped connection) before giving up the step;
         *  the sync loop then backs off and tries again, so a flaky endpoint slows the indexer, never stops it. */
        maxRetries: z.number().int().min(0).max(100).default(8),
        /** Backoff base and cap, ms (exponential with jitter). */
        backoffMs: z.number().int().min(1).default(200),
        maxBackoffMs: z.number().int().min(1).default(10_000),
        /** First and largest `eth_getLogs` block range; the range halves on range/limit errors and grows on success. */
        initialRange: z.number().int().min(1).default(100),
        maxRange: z.number().int().min(1).default(100_000),
        /** Aim for at most this many logs per range (bounds memory and transaction size). */
        targetLogsPerRange: z.number().int().min(100).default(10_000),
        /** Most unfinalized blocks whose headers are fetched in one step. */
        maxTailBlocks: z.number().int().min(1).default(500),
        /**
         * Cross-check every range's `eth_getLogs` answer against its blocks' `logsBloom` (one header per block,
         * fetched in JSON-RPC batches): a block whose bloom may hold our addresses with no log returned is refetched.
         */
        bloomCheck: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Largest `first` of a paginated GraphQL list. */
    maxPageSize: z.number().int().min(1).max(10_000).default(1_000),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Progress display on stderr during backfill (auto: when stderr is a TTY). */
    progress: z.boolean().optional(),
    /** Drop all indexed data first (needed when the chain, contracts or start block change). */
    reset: z.boolean().default(false),
    /** Serve the HTTP API (GraphQL, health, metrics). */
    api: z.boolean().default(true),
  })
  .strict();

/** Validated configuration. */
export type Config = z.infer<typeof configSchema>;
/** Configuration as given by a caller (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;

/** Thrown for invalid configuration; `message` lists every problem as `field: reason`. */
export class ConfigError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Validates `input`, applying defaults. Throws `ConfigError` naming each bad field. */
export function parseConfig(input: unknown): Config {
  const r = configSchema.safeParse(input);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => ({ field: i.path.join(".") || "(root)", message: i.message })),
    );
  }
  const c = r.data.contracts;
  if (r.data.mode === "serve") {
    if (!r.data.databaseUrl) throw new ConfigError([{ field: "databaseUrl", message: "required by serve (the PostgreSQL database a sync process writes)" }]);
  } else {
    const missing = [
      ...(r.data.rpcUrl ? [] : [{ field: "rpcUrl", message: "required" }]),
      ...(c.token ? [] : [{ field: "contracts.token", message: "required" }]),
    ];
    if (missing.length) throw new ConfigError(missing);
  }
  if (c.morpho && !c.wrapperFactory) {
    throw new ConfigError([{ field: "contracts.wrapperFactory", message: "required with contracts.morpho" }]);
  }
  if (r.data.rpc.initialRange > r.data.rpc.maxRange) {
    throw new ConfigError([{ field: "rpc.initialRange", message: `must be ≤ rpc.maxRange (${r.data.rpc.maxRange})` }]);
  }
  return r.data;
}
