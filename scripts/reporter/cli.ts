#!/usr/bin/env tsx
/**
 * hashpower oracle reporter CLI: signs each day's report with the reporter keys and submits it to the
 * HashpriceOracle, resuming from the first day not yet on chain.
 *
 *   tsx scripts/reporter/cli.ts --rpc http://127.0.0.1:8545 --oracle 0x… --from 2024-01-01 --to 2024-12-31
 *   (keys from REPORTER_KEYS=0xk1,0xk2,0xk3)
 */
import { Command, Option } from "commander";
import { pino } from "pino";
import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { dayOfDate } from "../../domain/units.js";
import { BitcoinCoreSource, BitcoinRpc } from "./bitcoind.js";
import { parseConfig, type ReporterConfig } from "./config.js";
import { createReporter } from "./reporter.js";
import { accountsFromKeys } from "./sign.js";
import { CsvSource, FixedPriceSource, type DailySource, type PriceSource, uptimeFromFile } from "./sources.js";

const program = new Command()
  .name("reporter")
  .description("Sign and submit daily hashprice and farm uptime reports to the HashpriceOracle (idempotent, resumable).")
  .addOption(new Option("--rpc <url>", "EVM JSON-RPC URL").env("RPC_URL"))
  .requiredOption("--oracle <address>", "HashpriceOracle address")
  .addOption(new Option("--keys <k1,k2,...>", "reporter private keys, comma-separated (prefer the env variable)").env("REPORTER_KEYS"))
  .addOption(new Option("--submitter-key <key>", "key that sends the transactions (default: the first reporter key)").env("REPORTER_SUBMITTER_KEY"))
  .requiredOption("--from <YYYY-MM-DD>", "first UTC day to report")
  .option("--to <YYYY-MM-DD>", "last UTC day to report (default: --from)")
  .addOption(new Option("--source <source>", "daily inputs").choices(["csv", "bitcoind"]).default("csv"))
  .addOption(new Option("--data-dir <dir>", "folder with the CSV data (default: ../shared/data beside the repo)").env("HASHPOWER_DATA_DIR"))
  .option("--bitcoind-url <url>", "Bitcoin Core RPC URL, e.g. http://127.0.0.1:8332")
  .option("--bitcoind-user <user>", "Bitcoin Core rpcuser")
  .addOption(new Option("--bitcoind-password <password>", "Bitcoin Core rpcpassword").env("BITCOIND_PASSWORD"))
  .option("--bitcoind-cookie <file>", "Bitcoin Core .cookie file (instead of user/password)")
  .option("--min-confirmations <n>", "confirmations required on a day's last block", "6")
  .option("--btc-usd <usd>", "fixed BTC/USD for every day (default: the CSV reference rate)")
  .option("--uptime <file>", "farm uptime: CSV farm,date,uptime_bps or JSON [{farm,date,uptimeBps}]")
  .option("--state <file>", "resume hint file (the chain stays the source of truth)")
  .option("--progress-every <days>", "a progress line every N days", "100")
  .option("--poll-ms <ms>", "receipt polling interval", "1000")
  .option("--tx-timeout <seconds>", "max wait for a receipt or for in-flight transactions", "600")
  .addOption(new Option("--log-level <level>", "pino log level").default("info"))
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  let config: ReporterConfig;
  try {
    config = parseConfig(program.opts());
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { svc: "reporter" } });
  const reporters = accountsFromKeys(config.keys);
  const submitter = config.submitterKey ? privateKeyToAccount(config.submitterKey) : reporters[0];

  const probe = createPublicClient({ transport: http(config.rpc) });
  const chain = defineChain({
    id: await probe.getChainId(),
    name: "oracle chain",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpc] } },
  });
  const transport = http(config.rpc, { batch: true, retryCount: 3 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: config.pollMs });
  const walletClient = createWalletClient({ chain, transport, account: submitter, pollingInterval: config.pollMs });

  const csv = config.source === "csv" || !config.btcUsd ? new CsvSource(config.dataDir) : undefined;
  const price: PriceSource = config.btcUsd ? new FixedPriceSource(config.btcUsd) : csv!;
  let daily: DailySource;
  if (config.source === "bitcoind") {
    const rpc = new BitcoinRpc({ url: config.bitcoindUrl!, username: config.bitcoindUser, password: config.bitcoindPassword, cookieFile: config.bitcoindCookie });
    daily = new BitcoinCoreSource(rpc, price, { minConfirmations: config.minConfirmations });
  } else {
    daily = config.btcUsd ? { daily: async (day) => ({ ...(await csv!.daily(day)), btcUsdE8: await price.btcUsdE8(day) }) } : csv!;
  }

  const reporter = createReporter({
    publicClient,
    walletClient,
    oracle: config.oracle,
    reporters,
    daily,
    uptime: config.uptime ? uptimeFromFile(config.uptime) : undefined,
    logger,
    stateFile: config.state,
    progressEvery: config.progressEvery,
    txTimeoutMs: config.txTimeout * 1000,
  });
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
  logger.info({ oracle: config.oracle, submitter: submitter.address, reporters: reporters.map((a) => a.address), source: config.source }, "starting");
  const summary = await reporter.run({ from: dayOfDate(config.from), to: dayOfDate(config.to ?? config.from), signal: stop.signal });
  process.exitCode = summary.aborted ? 130 : 0;
}

main().catch((e: Error) => {
  process.stderr.write(`reporter: ${e.message}\n`);
  process.exit(1);
});
