#!/usr/bin/env tsx
/**
 * `npm start`: replays real Bitcoin history end to end on a local Hardhat node, with the indexer serving it over
 * GraphQL. Everything runs here (node as a child process, indexer in-process) and is stopped at the end or on
 * Ctrl-C. The replay itself is `runReplay` in scripts/replay/.
 *
 *   npm start                                  # 2023-10-01 .. 2024-09-30 (crosses the 2024-04-20 halving)
 *   npm start -- --from 2024-03-01 --to 2024-05-31 --holders 40 --keep-running
 *   npm start -- --help
 *
 * Exit codes: 0 all summary checks passed; 1 a check failed or the replay failed; 2 a bad option (named); 3 the
 * database of --database-url/DATABASE_URL cannot be reached; 5 --port or --api-port cannot be bound (in use); 130
 * interrupted. The database and the ports are checked before the node starts and anything is deployed.
 */
import { Command, Option } from "commander";
import { DEFAULTS, MIN_DAYS, OptionsError } from "./replay/options.js";
import { appLines, runReplay, sampleCurl } from "./replay/index.js";
import { EXIT, StartupError } from "../indexer/startup.js";

const dflt = (k: keyof typeof DEFAULTS) => DEFAULTS[k] as string | number as string;

const program = new Command()
  .name("npm start --")
  .description("Replay real Bitcoin days on a local chain: deploy with Ignition, report, settle, trade and claim every day, index live, print a summary.")
  .option("--from <YYYY-MM-DD>", "first replayed day", dflt("from"))
  .option("--to <YYYY-MM-DD>", `last replayed day, inclusive (at least ${MIN_DAYS} days)`, dflt("to"))
  .option("--holders <n>", "token holders (accounts that buy, trade and claim)", dflt("holders"))
  .option("--seed <n>", "seed of outages, feed delays, trades and claims", dflt("seed"))
  .option("--speed <days-per-second>", "throttle the replay to this many days per second (0 = as fast as possible)", dflt("speed"))
  .option("--progress-every <days>", "a progress line every N days", dflt("progressEvery"))
  .option("--port <n>", "JSON-RPC port of the local Hardhat node, bound to 127.0.0.1 (0 = any free port)", dflt("port"))
  .option("--api-port <n>", "port of the indexer's GraphQL API, bound to 127.0.0.1 (0 = any free port)", dflt("apiPort"))
  .addOption(new Option("--database-url <url>", "PostgreSQL for the indexer; its indexed data there is reset (default: PGlite in a temporary folder)").env("DATABASE_URL"))
  .addOption(new Option("--data-dir <dir>", "folder with the real data CSV files (default: ../shared/data beside the repo)").env("HASHPOWER_DATA_DIR"))
  .option("--keep-running", "leave the chain and the GraphQL API running after the summary, until Ctrl-C", false)
  .addHelpText("after", `
Examples:
  npm start                                                   # 2023-10-01 .. 2024-09-30 on PGlite
  npm start -- --from 2024-03-01 --to 2024-05-31 --holders 40 --keep-running
  DATABASE_URL=postgres://u:p@127.0.0.1:5432/hashpower npm start -- --api-port 0

Exit codes:
  0    every summary check passed        1  a check failed, or the replay failed
  2    a bad option (named)              3  --database-url / DATABASE_URL cannot be reached
  5    --port or --api-port in use       130 interrupted (Ctrl-C)
The database and the ports are checked before the node starts and anything is deployed.`)
  .showHelpAfterError();

program.parse();
const o = program.opts();

const stop = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  if (interrupts === 1) {
    console.error("\ninterrupted: finishing the current day, then stopping the indexer and the node (Ctrl-C again to force)");
    stop.abort();
  } else {
    process.exit(130); // the node's process group is killed by chain.ts's exit hook
  }
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
process.on("SIGHUP", onSignal); // terminal closed: still stop the node and the indexer

try {
  const replay = await runReplay(
    {
      from: o.from, to: o.to, holders: o.holders, seed: o.seed, speed: o.speed, progressEvery: o.progressEvery,
      port: o.port, apiPort: o.apiPort, databaseUrl: o.databaseUrl, dataDir: o.dataDir, keepRunning: o.keepRunning,
    },
    { signal: stop.signal },
  );
  const failed = replay.summary.checks.some((c) => !c.ok);
  if (replay.options.keepRunning && !stop.signal.aborted) {
    console.log(`\n${appLines(replay).join("\n")}`);
    console.log(`\nGraphQL: ${replay.url}  (GraphiQL in a browser)\n  ${sampleCurl(replay.url)}`);
    console.log(`chain: ${replay.node.url} (chain id 31337). Running until Ctrl-C ...`);
    await new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve(), { once: true }));
  } else {
    console.log(
      `\nThe web app (${replay.url.replace(/\/graphql$/, "/")}) and GraphQL (${replay.url}) were served during the replay and stop with it; ` +
        `\`npm start -- --keep-running\` keeps the chain, the app and the API up after the summary, with these holders to paste:\n` +
        `${appLines(replay).slice(2).join("\n")}\nand for queries such as:\n  ${sampleCurl(replay.url)}`,
    );
  }
  await replay.close();
  process.exit(replay.aborted ? 130 : failed ? 1 : 0);
} catch (e) {
  if (e instanceof OptionsError) {
    console.error(e.message);
    process.exit(EXIT.config);
  }
  if (e instanceof StartupError) {
    console.error(`cannot start: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(`replay failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
