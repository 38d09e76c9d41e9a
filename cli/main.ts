#!/usr/bin/env node
/**
 * `hashpower`: the operators' command line (farms, holders, reporters, keeper). Run it with `npm run cli -- …` or the
 * `hashpower` bin. Every command works against `--rpc URL` or `--network NAME` (hardhat.config.ts); keys come from
 * an environment variable or the Hardhat keystore (`--key NAME`, default HASHPOWER_KEY), never from the command
 * line. Sending commands print the call, ask on a terminal (`--yes` skips), wait for the receipt and decode reverts.
 * Exit codes: 0 ok, 1 error (revert, RPC), 2 bad flag or configuration (the message names it).
 */
import { Command, Option } from "commander";
import * as farm from "./farm.js";
import { CliError, ConfigError, connect, type GlobalOptions } from "./lib/context.js";
import { registerKeeper } from "./keeper/command.js";
import { registerReporter } from "./reporter/commands.js";

const program = new Command()
  .name("hashpower")
  .description("Operate hashpower: farms issue and fund series, holders claim, reporters sign, keepers settle.")
  .addOption(new Option("--rpc <url>", "JSON-RPC URL").env("RPC_URL"))
  .option("--network <name>", "a network of hardhat.config.ts (its URL and, if configured, its account)")
  .addOption(new Option("--deployment <id|path>", "Ignition deployment id or folder, or a JSON file {token, oracle, settlement, asset} (default: ignition/deployments/chain-<chainId>)").env("HASHPOWER_DEPLOYMENT"))
  .option("--key <NAME>", "name of the environment variable or Hardhat keystore entry holding the signer's private key (default HASHPOWER_KEY)")
  .option("-y, --yes", "send without asking for confirmation")
  .showHelpAfterError();

/** Wraps a command action: connects, runs, and maps errors to messages and exit codes. */
function action<A extends unknown[]>(fn: (ctx: Awaited<ReturnType<typeof connect>>, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = await connect(cmd.optsWithGlobals<GlobalOptions>());
    await fn(ctx, ...(args.slice(0, -1) as A));
  };
}

const termsOptions = (c: Command) =>
  c
    .option("--farm <address>", "issuing farm (default: the signer)")
    .option("--asset <address>", "payout asset (default: the deployment's)")
    .requiredOption("--hashrate <TH/s>", "TH/s promised every day of the term")
    .requiredOption("--start <YYYY-MM-DD>", "first UTC day of the term")
    .requiredOption("--term <days>", "length of the term, days")
    .requiredOption("--efficiency <J/TH>", "machine efficiency, J/TH (e.g. 17.5)")
    .option("--pool-fee-bps <bps>", "pool fee, bps of gross hashprice", "200")
    .option("--sla-bps <bps>", "promised uptime, bps", "9500")
    .option("--power-cost <USD/kWh>", "electricity price, USD per kWh", "0.05")
    .option("--service-fee <USD>", "service fee, USD per TH/s·day", "0");

const farmCmd = program.command("farm").description("farm administration");
farmCmd
  .command("register <farm>")
  .description("register (or re-register) a farm with its capacity (FARM_ADMIN)")
  .requiredOption("--capacity <TH/s>", "capacity, TH/s")
  .requiredOption("--name <name>", "farm name")
  .action(action((ctx, f: string, o: { capacity: string; name: string }) => farm.farmRegister(ctx, f, o)));

const series = program.command("series").description("issue series");
termsOptions(series.command("quote").description("collateral a new series needs (Settlement.quoteCollateral)")).action(action((ctx, o: farm.TermsOptions) => farm.seriesQuote(ctx, o)));
termsOptions(series.command("create").description("issue a series (needs the quoted collateral posted)"))
  .option("--top-up-collateral", "first post what the quote lacks, plus --margin-bps (the quote moves with each daily report)")
  .option("--margin-bps <bps>", "margin over the quote for --top-up-collateral", "1000")
  .action(action((ctx, o: farm.TermsOptions & { topUpCollateral?: boolean; marginBps: string }) => farm.seriesCreate(ctx, o)));

program
  .command("mint")
  .description("mint units (TH/s·days) of your series to a buyer")
  .requiredOption("--series <id>", "series id")
  .requiredOption("--to <address>", "receiver")
  .requiredOption("--units <n>", "units")
  .action(action((ctx, o: { series: string; to: string; units: string }) => farm.mint(ctx, o)));

const coll = program.command("collateral").description("post or withdraw collateral (payout asset, BTC)");
coll
  .command("post <amount>")
  .description("post <amount> BTC of collateral (approves the settlement first if needed)")
  .option("--farm <address>", "farm credited (default: the signer)")
  .option("--asset <address>", "payout asset (default: the deployment's)")
  .action(action((ctx, amount: string, o: { farm?: string; asset?: string }) => farm.collateral(ctx, "post", amount, o)));
coll
  .command("withdraw <amount>")
  .description("withdraw <amount> BTC of collateral above the requirement")
  .option("--to <address>", "receiver (default: the signer)")
  .option("--asset <address>", "payout asset (default: the deployment's)")
  .action(action((ctx, amount: string, o: { to?: string; asset?: string }) => farm.collateral(ctx, "withdraw", amount, o)));

program
  .command("fund")
  .description("top the payout balance up to --days days of payouts at the trailing hashprice (full uptime), plus debt")
  .option("--days <n>", "days of runway", "1")
  .option("--amount <BTC>", "deposit exactly this amount instead")
  .option("--farm <address>", "farm credited (default: the signer)")
  .option("--asset <address>", "payout asset (default: the deployment's)")
  .action(action((ctx, o: { days: string; amount?: string; farm?: string; asset?: string }) => farm.fund(ctx, o)));

program
  .command("status")
  .description("a farm's capacity, series, funding runway, collateral, debt and next required action")
  .option("--farm <address>", "farm (default: the signer)")
  .option("--asset <address>", "payout asset (default: the deployment's)")
  .option("--json", "machine-readable")
  .action(action((ctx, o: { farm?: string; asset?: string; json?: boolean }) => farm.status(ctx, o)));

program
  .command("claim")
  .description("claim your yield")
  .requiredOption("--series <ids>", "series ids, comma-separated")
  .option("--to <address>", "receiver (default: the signer)")
  .action(action((ctx, o: { series: string; to?: string }) => farm.claim(ctx, o)));

program
  .command("statement")
  .description("a holder's daily statement from the indexer (GET /statement.csv)")
  .requiredOption("--account <address>", "holder")
  .requiredOption("--series <id>", "series id")
  .option("--from <YYYY-MM-DD>", "first day (default: 3,659 days before --to)")
  .option("--to <YYYY-MM-DD>", "last day (default: today, UTC)")
  .option("--csv", "CSV output (the only format)", true)
  .addOption(new Option("--indexer <url>", "indexer base URL").env("HASHPOWER_INDEXER").default("http://127.0.0.1:42069"))
  .action((o: { account: string; series: string; from?: string; to?: string; indexer: string }) => farm.statement(o));

program
  .command("faucet <amount>")
  .description("local chains only: mint <amount> BTC of the dev payout asset (TestWBTC)")
  .option("--to <address>", "receiver (default: the signer)")
  .action(action((ctx, amount: string, o: { to?: string }) => farm.faucet(ctx, amount, o)));

registerReporter(program);
registerKeeper(program);

program.parseAsync().catch((e: unknown) => {
  const code = e instanceof ConfigError ? 2 : 1;
  process.stderr.write(`hashpower: ${e instanceof CliError ? e.message : ((e as Error).stack ?? String(e))}\n`);
  process.exit(code);
});
