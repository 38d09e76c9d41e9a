#!/usr/bin/env node
/**
 * Command line: `tsx indexer/cli.ts --rpc http://127.0.0.1:8545 --token 0x… [--oracle 0x…] [--settlement 0x…]
 * [--wrapper-factory 0x… [--morpho 0x… [--collateral-adapter 0x…]]]`.
 * Flags fall back to environment variables (RPC_URL, DATABASE_URL, TOKEN_ADDRESS, STALL_TIMEOUT_MS, …). Exit codes: 0
 * after a clean stop (SIGINT/SIGTERM), 1 on a fatal sync error (after SIGINT/SIGTERM: the process stays up to answer
 * `/health` 503 with the reason; at once with `--no-api`), 2 on bad configuration (the message names the field).
 */
import { Command, InvalidArgumentError } from "commander";
import { ConfigError, startIndexer, type ConfigInput } from "./index.js";

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return Number(v);
};

/** The flag behind each configuration field, for error messages. */
const FLAGS: Record<string, string> = {
  rpcUrl: "--rpc", databaseUrl: "--database-url", dataDir: "--data-dir", "contracts.token": "--token",
  "contracts.oracle": "--oracle", "contracts.settlement": "--settlement",
  "contracts.wrapperFactory": "--wrapper-factory", "contracts.morpho": "--morpho", "contracts.collateralAdapter": "--collateral-adapter", fromBlock: "--from-block", finality: "--finality",
  port: "--port", host: "--host", pollIntervalMs: "--poll-interval", readyLagBlocks: "--ready-lag", maxPageSize: "--max-page-size",
  logLevel: "--log-level", stallTimeoutMs: "--stall-timeout", maxMismatchRetries: "--max-mismatch-retries", "rpc.bloomCheck": "--no-bloom-check",
  "rpc.maxRange": "--max-range", "rpc.initialRange": "--initial-range", "rpc.timeoutMs": "--rpc-timeout",
};

const program = new Command()
  .name("hashpower-indexer")
  .description("Indexes the hashpower token, oracle and settlement contracts (and optionally the series wrappers, Morpho Blue markets on them and the collateral adapter) from any JSON-RPC node and serves GraphQL.")
  .option("--rpc <urls>", "JSON-RPC endpoint(s), comma-separated: the first serves reads, the next verifies hashes and refetches suspect ranges (env RPC_URL)", process.env.RPC_URL)
  .option("--token <address>", "HashpowerToken address (env TOKEN_ADDRESS)", process.env.TOKEN_ADDRESS)
  .option("--oracle <address>", "HashpriceOracle address (env ORACLE_ADDRESS)", process.env.ORACLE_ADDRESS)
  .option("--settlement <address>", "Settlement address (env SETTLEMENT_ADDRESS)", process.env.SETTLEMENT_ADDRESS)
  .option("--wrapper-factory <address>", "SeriesWrapperFactory address: index its wrappers (env WRAPPER_FACTORY_ADDRESS)", process.env.WRAPPER_FACTORY_ADDRESS)
  .option("--morpho <address>", "Morpho Blue address: index markets on the wrappers (env MORPHO_ADDRESS)", process.env.MORPHO_ADDRESS)
  .option("--collateral-adapter <address>", "MorphoCollateralAdapter address (env COLLATERAL_ADAPTER_ADDRESS)", process.env.COLLATERAL_ADAPTER_ADDRESS)
  .option("--from-block <n>", "first block to index (the deployment block)", int("--from-block"))
  .option("--finality <n>", "blocks behind head treated as final (reorg depth tracked)", int("--finality"))
  .option("--database-url <url>", "PostgreSQL URL; default: embedded PGlite (env DATABASE_URL)", process.env.DATABASE_URL)
  .option("--data-dir <dir>", "PGlite data folder (memory:// for in-memory)", process.env.PGLITE_DIR)
  .option("--port <n>", "HTTP port of GraphQL/health/metrics (0 = any free port)", int("--port"))
  .option("--host <host>", "interface to bind", "127.0.0.1")
  .option("--poll-interval <ms>", "live polling interval", int("--poll-interval"))
  .option("--ready-lag <n>", "/ready fails beyond this many blocks behind head", int("--ready-lag"))
  .option("--stall-timeout <ms>", "/ready fails when the head could not be read or has not advanced for this long (env STALL_TIMEOUT_MS)", int("--stall-timeout"), process.env.STALL_TIMEOUT_MS ? Number(process.env.STALL_TIMEOUT_MS) : undefined)
  .option("--max-mismatch-retries <n>", "refetches of a range that disagrees with the contract model before the sync stops", int("--max-mismatch-retries"))
  .option("--no-bloom-check", "do not cross-check eth_getLogs against the blocks' logsBloom (saves one header request per block)")
  .option("--max-range <n>", "largest eth_getLogs block range", int("--max-range"))
  .option("--initial-range <n>", "first eth_getLogs block range", int("--initial-range"))
  .option("--rpc-timeout <ms>", "per-request timeout", int("--rpc-timeout"))
  .option("--max-page-size <n>", "largest GraphQL page", int("--max-page-size"))
  .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent", process.env.LOG_LEVEL)
  .option("--no-progress", "no progress display on stderr")
  .option("--no-api", "sync only, no HTTP server")
  .option("--reset", "drop the indexed data first (required after changing chain, contracts or start block)")
  .showHelpAfterError();

program.parse();
const o = program.opts();
const drop = <T extends Record<string, unknown>>(x: T) =>
  Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T;

const rpcs = typeof o.rpc === "string" ? o.rpc.split(",").map((u: string) => u.trim()).filter(Boolean) : [];
const input = drop({
  rpcUrl: rpcs[0] ?? o.rpc,
  rpcUrls: rpcs.length > 1 ? rpcs.slice(1) : undefined,
  databaseUrl: o.databaseUrl,
  dataDir: o.dataDir,
  contracts: drop({
    token: o.token, oracle: o.oracle, settlement: o.settlement, wrapperFactory: o.wrapperFactory, morpho: o.morpho,
    collateralAdapter: o.collateralAdapter,
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
  api: o.api,
  reset: o.reset === true,
  rpc: drop({ maxRange: o.maxRange, initialRange: o.initialRange, timeoutMs: o.rpcTimeout, bloomCheck: o.bloomCheck === false ? false : undefined }),
}) as ConfigInput;

try {
  const indexer = await startIndexer(input);
  const shutdown = async (signal: string) => {
    indexer.log.info({ signal }, "shutting down");
    await indexer.stop();
    process.exit(indexer.state.fatal ? 1 : 0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  await indexer.done.catch(async (e) => {
    console.error(`fatal: ${e instanceof Error ? e.message : e}`);
    if (!indexer.url) {
      await indexer.stop();
      process.exit(1);
    }
    // stay up: /health answers 503 with the reason and GraphQL refuses to serve, until SIGINT/SIGTERM (exit 1)
    process.exitCode = 1;
  });
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(
      `invalid configuration: ${e.issues.map((i) => `${FLAGS[i.field] ? `${FLAGS[i.field]} (${i.field})` : i.field}: ${i.message}`).join("; ")}`,
    );
    process.exit(2);
  }
  console.error(`fatal: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
