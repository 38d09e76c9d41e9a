/**
 * The command line behind `indexer/cli.ts` (which runs it from an ahead-of-time bundle, see `indexer/bundle.ts`): `npm run indexer -- [run|sync|serve] [flags]` (see `--help`, which lists every default and examples).
 *
 *   run    (default) sync the contracts' events into the database and serve GraphQL, /health, /ready, /metrics
 *   sync   only write the database (no HTTP server): the writer of API replicas
 *   serve  only serve, read-only, from the PostgreSQL database a `sync` (or `run`) process writes (--database-url)
 *
 * Flags fall back to environment variables (RPC_URL, DATABASE_URL, TOKEN_ADDRESS, …). The configuration is
 * validated first (exit 2, naming the flag), then the database, the JSON-RPC endpoint and the port are checked before
 * any indexing (exit 3, 4, 5, naming the flag); exit 0 after a clean stop (SIGINT/SIGTERM), 1 when the sync stops for
 * good (deep reorg, model mismatch; with an API the process stays up answering `/health` 503 until SIGINT/SIGTERM).
 */
import { Argument, Command, InvalidArgumentError } from "commander";
import { ConfigError, parseConfig, startIndexer, type ConfigInput } from "./index.js";
import { configSchema } from "./config.js";
import { EXIT, StartupError, checkDatabase, checkPort, checkRpc } from "./startup.js";

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};

/** The configuration's defaults (shown by --help). */
const D = configSchema.parse({ mode: "serve", databaseUrl: "postgres://x" });

/** The flag (and variable) behind each configuration field, for error messages. */
const FLAGS: Record<string, string> = {
  mode: "the mode argument", rpcUrl: "--rpc / RPC_URL", databaseUrl: "--database-url / DATABASE_URL", dataDir: "--data-dir / PGLITE_DIR",
  "contracts.token": "--token / TOKEN_ADDRESS", "contracts.oracle": "--oracle / ORACLE_ADDRESS", "contracts.settlement": "--settlement / SETTLEMENT_ADDRESS",
  "contracts.wrapperFactory": "--wrapper-factory / WRAPPER_FACTORY_ADDRESS", "contracts.morpho": "--morpho / MORPHO_ADDRESS", fromBlock: "--from-block",
  finality: "--finality", port: "--port", host: "--host", pollIntervalMs: "--poll-interval", readyLagBlocks: "--ready-lag",
  maxPageSize: "--max-page-size", logLevel: "--log-level / LOG_LEVEL", stallTimeoutMs: "--stall-timeout / STALL_TIMEOUT_MS",
  maxMismatchRetries: "--max-mismatch-retries", "rpc.bloomCheck": "--no-bloom-check", "rpc.maxRange": "--max-range",
  "rpc.initialRange": "--initial-range", "rpc.timeoutMs": "--rpc-timeout",
};

const EXAMPLES = `
Examples:
  # one process: index a deployment into PGlite (.pglite) and serve GraphQL on 127.0.0.1:${D.port}
  npm run indexer -- --rpc http://127.0.0.1:8545 --token 0xTOKEN --oracle 0xORACLE --settlement 0xSETTLEMENT --from-block 1

  # API replicas: one writer, any number of read-only API processes on the same PostgreSQL
  npm run indexer -- sync  --rpc https://node.example --token 0xTOKEN --oracle 0xORACLE --settlement 0xSETTLEMENT --database-url postgres://u:p@db/hashpower
  npm run indexer -- serve --database-url postgres://reader:p@db/hashpower --port 42069
  npm run indexer -- serve --database-url postgres://reader:p@db/hashpower --port 42070

Exit codes:
  0  clean stop (SIGINT/SIGTERM)
  1  the sync stopped for good (deep reorg, persistent model mismatch) or an unexpected error
  2  invalid configuration: the message names the flag and its variable
  3  the database cannot be used (--database-url / DATABASE_URL, --data-dir)
  4  the JSON-RPC endpoint cannot be used (--rpc / RPC_URL)
  5  the HTTP port cannot be bound (--port, --host)
`;

const env = process.env;
const program = new Command()
  .name("npm run indexer --")
  .description("Indexes the hashpower token, oracle and settlement contracts (and optionally the series wrappers, and Morpho Blue markets on them) from any JSON-RPC node and serves GraphQL.")
  .addArgument(new Argument("[mode]", "run: sync and serve; sync: write the database only; serve: read-only API on the PostgreSQL a writer fills").choices(["run", "sync", "serve"]).default("run"))
  .option("--rpc <urls>", "JSON-RPC endpoint(s), comma-separated: the first serves reads, the next verifies hashes and refetches suspect ranges (env RPC_URL; required by run and sync)", env.RPC_URL)
  .option("--token <address>", "HashpowerToken address (env TOKEN_ADDRESS; required by run and sync)", env.TOKEN_ADDRESS)
  .option("--oracle <address>", "HashpriceOracle address (env ORACLE_ADDRESS)", env.ORACLE_ADDRESS)
  .option("--settlement <address>", "Settlement address (env SETTLEMENT_ADDRESS)", env.SETTLEMENT_ADDRESS)
  .option("--wrapper-factory <address>", "SeriesWrapperFactory address: index its wrappers (env WRAPPER_FACTORY_ADDRESS)", env.WRAPPER_FACTORY_ADDRESS)
  .option("--morpho <address>", "Morpho Blue address: index markets on the wrappers (env MORPHO_ADDRESS)", env.MORPHO_ADDRESS)
  .option("--from-block <n>", "first block to index (the deployment block)", int("--from-block"), D.fromBlock)
  .option("--finality <n>", "blocks behind head treated as final (reorg depth tracked)", int("--finality"), D.finality)
  .option("--database-url <url>", "PostgreSQL URL (env DATABASE_URL; required by serve; default: embedded PGlite in --data-dir)", env.DATABASE_URL)
  .option("--data-dir <dir>", "PGlite data folder, memory:// for in-memory (env PGLITE_DIR)", env.PGLITE_DIR ?? D.dataDir)
  .option("--port <n>", "HTTP port of GraphQL/health/metrics (0 = any free port)", int("--port"), D.port)
  .option("--host <host>", "interface to bind", D.host)
  .option("--poll-interval <ms>", "live polling interval (serve: how often the writer's checkpoint is read)", int("--poll-interval"), D.pollIntervalMs)
  .option("--ready-lag <n>", "/ready fails beyond this many blocks behind head", int("--ready-lag"), D.readyLagBlocks)
  .option("--stall-timeout <ms>", "/ready fails when the head could not be read or has not advanced for this long (env STALL_TIMEOUT_MS)", int("--stall-timeout"), env.STALL_TIMEOUT_MS ? Number(env.STALL_TIMEOUT_MS) : D.stallTimeoutMs)
  .option("--max-mismatch-retries <n>", "refetches of a range that disagrees with the contract model before the sync stops", int("--max-mismatch-retries"), D.maxMismatchRetries)
  .option("--no-bloom-check", "do not cross-check eth_getLogs against the blocks' logsBloom (saves one header request per block)")
  .option("--max-range <n>", "largest eth_getLogs block range, and most blocks per write batch during backfill", int("--max-range"), D.rpc.maxRange)
  .option("--initial-range <n>", "first eth_getLogs block range", int("--initial-range"), D.rpc.initialRange)
  .option("--rpc-timeout <ms>", "per-request timeout", int("--rpc-timeout"), D.rpc.timeoutMs)
  .option("--max-page-size <n>", "largest GraphQL page (the cost limit is 5 × this)", int("--max-page-size"), D.maxPageSize)
  .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)", env.LOG_LEVEL ?? D.logLevel)
  .option("--no-progress", "no progress display on stderr (default: shown when stderr is a terminal)")
  .option("--no-api", "run only: sync without the HTTP server (the same as the sync mode)")
  .option("--reset", "drop the indexed data first (required after changing chain, contracts or start block)", false)
  .addHelpText("after", EXAMPLES)
  .showHelpAfterError()
  // a bad flag or argument is a configuration error (exit 2); --help exits 0
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));

program.parse();
const o = program.opts();
const mode = program.processedArgs[0] as "run" | "sync" | "serve";
const drop = <T extends Record<string, unknown>>(x: T) =>
  Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined && v !== "")) as T;

const rpcs = typeof o.rpc === "string" ? o.rpc.split(",").map((u: string) => u.trim()).filter(Boolean) : [];
const input = drop({
  mode: mode === "run" && o.api === false ? "sync" : mode,
  rpcUrl: rpcs[0] ?? o.rpc,
  rpcUrls: rpcs.length > 1 ? rpcs.slice(1) : undefined,
  databaseUrl: o.databaseUrl,
  dataDir: o.dataDir,
  contracts: drop({
    token: o.token, oracle: o.oracle, settlement: o.settlement, wrapperFactory: o.wrapperFactory, morpho: o.morpho,
  }),
  fromBlock: o.fromBlock,
  finality: o.finality,
  port: o.port,
  host: o.host,
  pollIntervalMs: o.pollInterval,
  readyLagBlocks: o.readyLag,
  stallTimeoutMs: o.stallTimeout,
  maxMismatchRetries: o.maxMismatchRetries,
  maxPageSize: o.maxPageSize,
  logLevel: o.logLevel,
  progress: o.progress === false ? false : undefined,
  reset: o.reset === true,
  rpc: drop({ maxRange: o.maxRange, initialRange: o.initialRange, timeoutMs: o.rpcTimeout, bloomCheck: o.bloomCheck === false ? false : undefined }),
}) as ConfigInput;

const fail = (message: string, code: number): never => {
  console.error(message);
  process.exit(code);
};

try {
  // 1. the configuration (exit 2), 2. the database, the node and the port (exit 3, 4, 5): before any indexing
  const config = parseConfig(input);
  if (config.databaseUrl) await checkDatabase(config.databaseUrl);
  if (config.rpcUrl) for (const [i, u] of [config.rpcUrl, ...config.rpcUrls].entries()) await checkRpc(u, i === 0 ? "--rpc / RPC_URL" : `--rpc (endpoint ${i + 1})`);
  if (config.mode !== "sync") await checkPort(config.port, config.host);

  const indexer = await startIndexer(input);
  const shutdown = async (signal: string) => {
    indexer.log.info({ signal }, "shutting down");
    await indexer.stop();
    process.exit(indexer.state.fatal && config.mode !== "serve" ? EXIT.fatal : EXIT.ok);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  await indexer.done.catch(async (e) => {
    console.error(`fatal: ${e instanceof Error ? e.message : e}`);
    if (!indexer.url) {
      await indexer.stop();
      process.exit(EXIT.fatal);
    }
    // stay up: /health answers 503 with the reason and GraphQL refuses to serve, until SIGINT/SIGTERM (exit 1)
    process.exitCode = EXIT.fatal;
  });
} catch (e) {
  if (e instanceof ConfigError) {
    fail(`invalid configuration: ${e.issues.map((i) => `${FLAGS[i.field] ? `${FLAGS[i.field]} (${i.field})` : i.field}: ${i.message}`).join("; ")}`, EXIT.config);
  }
  if (e instanceof StartupError) fail(`cannot start: ${e.message}`, e.exitCode);
  fail(`fatal: ${e instanceof Error ? e.message : e}`, EXIT.fatal);
}
