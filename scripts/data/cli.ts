#!/usr/bin/env tsx
/**
 * `npm run data`: writes the four data CSV files (the format of ../shared/data) from your own Bitcoin Core node.
 *
 *   npm run data -- --bitcoind http://127.0.0.1:8332 --bitcoind-cookie ~/.bitcoin/.cookie \
 *     --from 2024-01-01 --to 2024-12-31 --prices btc_price_usd_daily.csv --out ./mydata
 *   HASHPOWER_DATA_DIR=./mydata npm start -- --from 2024-02-01 --to 2024-12-31
 *
 * Reruns resume after the last complete day in --out. Exit codes: 0 done, 1 error, 2 bad option.
 */
import { Command, Option } from "commander";
import { z } from "zod";
import { dateOfDay, dayOfDate } from "../../domain/units.js";
import { BitcoinRpc } from "../../cli/reporter/bitcoind.js";
import { buildData } from "./build.js";

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dateOfDay(dayOfDate(s)) === s, "not a calendar date");
const schema = z
  .object({
    bitcoind: z.string().url("expected a URL such as http://127.0.0.1:8332"),
    bitcoindUser: z.string().optional(),
    bitcoindPassword: z.string().optional(),
    bitcoindCookie: z.string().optional(),
    from: date,
    to: date,
    out: z.string().min(1),
    prices: z.string().min(1, "a CSV date,price_usd"),
    minConfirmations: z.coerce.number().int().min(1, "at least 1"),
    concurrency: z.coerce.number().int().min(1).max(64),
  })
  .superRefine((c, ctx) => {
    if (dayOfDate(c.to) < dayOfDate(c.from)) ctx.addIssue({ code: "custom", path: ["to"], message: `before --from ${c.from}` });
  });

const program = new Command()
  .name("npm run data --")
  .description("Write btc_difficulty_daily.csv, btc_epochs.csv, btc_fees_daily.csv and btc_price_usd_daily.csv from a Bitcoin Core node (blocks dated by median-time-past).")
  .option("--bitcoind <url>", "Bitcoin Core RPC URL, e.g. http://127.0.0.1:8332")
  .option("--bitcoind-user <user>", "rpcuser")
  .addOption(new Option("--bitcoind-password <password>", "rpcpassword").env("BITCOIND_PASSWORD"))
  .option("--bitcoind-cookie <file>", "Bitcoin Core .cookie file (instead of user/password)")
  .option("--from <YYYY-MM-DD>", "first UTC day")
  .option("--to <YYYY-MM-DD>", "last UTC day, inclusive")
  .option("--out <dir>", "output folder (resumed when it already holds files)")
  .option("--prices <file>", "CSV date,price_usd whose rows in the range are copied")
  .option("--min-confirmations <n>", "confirmations required on the last day's last block", "6")
  .option("--concurrency <n>", "parallel getblockstats calls", "8")
  .showHelpAfterError();

program.parse();
const r = schema.safeParse(program.opts());
if (!r.success) {
  const lines = r.error.issues.map((i) => {
    const flag = "--" + String(i.path[0] ?? "option").replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    return `${flag}: ${i.code === "invalid_type" && i.received === "undefined" ? "required" : i.message}`;
  });
  process.stderr.write(`invalid options:\n  ${lines.join("\n  ")}\n`);
  process.exit(2);
}
const o = r.data;
try {
  const rpc = new BitcoinRpc({ url: o.bitcoind, username: o.bitcoindUser, password: o.bitcoindPassword, cookieFile: o.bitcoindCookie });
  const s = await buildData({
    rpc, from: o.from, to: o.to, out: o.out, prices: o.prices, minConfirmations: o.minConfirmations, concurrency: o.concurrency,
    onProgress: (line) => process.stderr.write(line + "\n"),
  });
  process.stdout.write(`wrote ${o.out}: ${s.days} days (${s.skipped} resumed), ${s.blocks} blocks read\n`);
} catch (e) {
  process.stderr.write(`data: ${(e as Error).message}\n`);
  process.exit(1);
}
