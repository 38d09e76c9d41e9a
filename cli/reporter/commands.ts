/**
 * `hashpower reporter run|sign|submit`.
 *
 * - `run`: one process signs with the keys of REPORTER_KEYS and submits (the replay's mode; convenient on a dev
 *   chain); `--follow` keeps reporting each day as it ends.
 * - `sign`: ONE key (`--key NAME`: environment variable or Hardhat keystore), its own source; publishes a signed
 *   document per final day in `--out DIR` and, with `--serve PORT`, over HTTP.
 * - `submit`: anyone; collects the documents from `--locations`, verifies, submits what a quorum agrees on, and
 *   reports each dissenting or invalid reporter (log line `dissent`/`invalid`, and `--dissent-log FILE`, JSON lines).
 */
import { appendFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { pino, type Logger } from "pino";
import { type Address, getAddress, parseAbiItem } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { dateOfDay, dayOfDate, dayOfTimestamp } from "../../domain/units.js";
import { ConfigError, connect, type Ctx, describeRevert, type GlobalOptions, resolveKey, addressArg } from "../lib/context.js";
import { hashpriceOracleAbi, Status } from "./abi.js";
import { BitcoinCoreSource, BitcoinRpc } from "./bitcoind.js";
import { parseConfig } from "./config.js";
import { agree, agreeUptime, fetchSigned, type Finding, Publication, signDay, verify, type Verified } from "./publish.js";
import { createReporter, revertName } from "./reporter.js";
import { accountsFromKeys, oracleDomain, type UptimeReport } from "./sign.js";
import { CsvSource, type DailySource, FixedPriceSource, type PriceSource, type UptimeSource, uptimeFromFile } from "./sources.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Source options shared by `run` and `sign`. */
function sourceOptions(c: Command): Command {
  return c
    .addOption(new Option("--source <source>", "daily inputs").choices(["csv", "bitcoind"]).default("csv"))
    .addOption(new Option("--data-dir <dir>", "folder with the CSV data (default: ../shared/data beside the repo)").env("HASHPOWER_DATA_DIR"))
    .option("--bitcoind-url <url>", "Bitcoin Core RPC URL, e.g. http://127.0.0.1:8332")
    .option("--bitcoind-user <user>", "Bitcoin Core rpcuser")
    .addOption(new Option("--bitcoind-password <password>", "Bitcoin Core rpcpassword").env("BITCOIND_PASSWORD"))
    .option("--bitcoind-cookie <file>", "Bitcoin Core .cookie file (instead of user/password)")
    .option("--min-confirmations <n>", "confirmations required on a day's last block", "6")
    .option("--btc-usd <usd>", "fixed BTC/USD for every day (default: the CSV reference rate)")
    .option("--uptime <file>", "farm uptime: CSV farm,date,uptime_bps or JSON [{farm,date,uptimeBps}]")
    .option("--uptime-all <bps>", "dev chains: this uptime for every farm registered on the token (needs the deployment)")
    .option("--oracle <address>", "HashpriceOracle (default: the deployment's)")
    .option("--from <YYYY-MM-DD>", "first UTC day (default with --follow: the day before the chain's today)")
    .option("--to <YYYY-MM-DD>", "last UTC day (default: --from; with --follow: none)")
    .option("--follow", "keep running: handle each day as it ends on the chain (and, with bitcoind, once confirmed)")
    .option("--poll-ms <ms>", "polling interval", "1000")
    .addOption(new Option("--log-level <level>", "pino log level").default("info"));
}

interface SourceOpts {
  source: "csv" | "bitcoind";
  dataDir?: string;
  bitcoindUrl?: string;
  bitcoindUser?: string;
  bitcoindPassword?: string;
  bitcoindCookie?: string;
  minConfirmations: string;
  btcUsd?: string;
  uptime?: string;
  uptimeAll?: string;
  oracle?: string;
  from?: string;
  to?: string;
  follow?: boolean;
  pollMs: string;
  logLevel: string;
}

function dailySource(o: SourceOpts): DailySource {
  if (o.source === "bitcoind" && !o.bitcoindUrl) throw new ConfigError("--bitcoind-url: required with --source bitcoind");
  if (o.btcUsd && !/^\d+(\.\d+)?$/.test(o.btcUsd)) throw new ConfigError(`--btc-usd ${o.btcUsd}: expected a decimal USD price`);
  const csv = o.source === "csv" || !o.btcUsd ? new CsvSource(o.dataDir) : undefined;
  const price: PriceSource = o.btcUsd ? new FixedPriceSource(o.btcUsd) : csv!;
  if (o.source === "bitcoind") {
    const rpc = new BitcoinRpc({ url: o.bitcoindUrl!, username: o.bitcoindUser, password: o.bitcoindPassword, cookieFile: o.bitcoindCookie });
    return new BitcoinCoreSource(rpc, price, { minConfirmations: Number(o.minConfirmations) });
  }
  return o.btcUsd ? { daily: async (day) => ({ ...(await csv!.daily(day)), btcUsdE8: await price.btcUsdE8(day) }) } : csv!;
}

/** Uptime from a file, or `--uptime-all`: every farm registered on the token (FarmRegistered logs) at one value. */
function uptimeSource(ctx: Ctx, o: SourceOpts): UptimeSource | undefined {
  if (o.uptime) return uptimeFromFile(o.uptime);
  if (o.uptimeAll === undefined) return undefined;
  const bps = Number(o.uptimeAll);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new ConfigError(`--uptime-all ${o.uptimeAll}: expected 0..10000 bps`);
  const token = ctx.deployment().token;
  const event = parseAbiItem("event FarmRegistered(address indexed farm, uint64 capacityThs, string name)");
  return {
    async uptime(day) {
      const logs = await ctx.publicClient.getLogs({ address: token, event, fromBlock: 0n });
      const farms = [...new Set(logs.map((l) => getAddress(l.args.farm!)))];
      return farms.map((farm) => ({ farm, uptimeBps: bps }));
    },
  };
}

const dateOpt = (flag: string, v: string): number => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || dateOfDay(dayOfDate(v)) !== v) throw new ConfigError(`${flag} ${v}: expected a calendar date YYYY-MM-DD`);
  return dayOfDate(v);
};

/** The last UTC day that has ended on the chain (the oracle refuses later days: DayNotEnded). */
async function lastEndedDay(ctx: Ctx): Promise<number> {
  const b = await ctx.publicClient.getBlock({ blockTag: "latest" });
  return dayOfTimestamp(b.timestamp) - 1;
}

/** Range and follow settings from the options. */
async function range(ctx: Ctx, o: SourceOpts): Promise<{ from: number; to?: number }> {
  const from = o.from ? dateOpt("--from", o.from) : o.follow ? await lastEndedDay(ctx) : undefined;
  if (from === undefined) throw new ConfigError("--from: required (or --follow)");
  const to = o.to ? dateOpt("--to", o.to) : o.follow ? undefined : from;
  if (to !== undefined && to < from) throw new ConfigError(`--to ${o.to}: before --from`);
  return { from, to };
}

/** Stops on SIGINT/SIGTERM between steps. */
function stopSignal(): AbortSignal {
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
  return stop.signal;
}

/** Exponential backoff after an error (RPC down, source not ready): 1 s, 2 s, … capped at 30 s. */
const backoff = (n: number, base: number) => Math.min(30_000, base * 2 ** Math.min(n, 5));

/** Registers `reporter run|sign|submit` on `program`. */
export function registerReporter(program: Command): void {
  const rep = program.command("reporter").description("oracle reporters: sign and publish, collect and submit");

  sourceOptions(
    rep
      .command("run")
      .description("sign with every key of REPORTER_KEYS (env: 0xk1,0xk2,…; REPORTER_SUBMITTER_KEY pays gas, default the first) and submit, in one process; resumable")
      .addHelpText("after", "\nKeys come from the environment only: REPORTER_KEYS=0xk1,0xk2,… and REPORTER_SUBMITTER_KEY (never on the command line)."),
  )
    .option("--state <file>", "resume hint file (the chain stays the source of truth)")
    .option("--progress-every <days>", "a progress line every N days", "100")
    .option("--tx-timeout <seconds>", "max wait for a receipt or for in-flight transactions", "600")
    .action(async (o: SourceOpts & { state?: string; progressEvery: string; txTimeout: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      // every bad option at once, before connecting
      let config: ReturnType<typeof parseConfig>;
      try {
        config = parseConfig({ ...o, rpc: g.rpc ?? process.env.RPC_URL, keys: process.env.REPORTER_KEYS, submitterKey: process.env.REPORTER_SUBMITTER_KEY, follow: !!o.follow });
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
      const ctx = await connect(g);
      const oracle = config.oracle ?? ctx.deployment().oracle;
      const logger = pino({ level: o.logLevel, base: { svc: "reporter" } });
      const { from, to } = await range(ctx, o);
      const reporters = accountsFromKeys(config.keys);
      const submitter = config.submitterKey ? privateKeyToAccount(config.submitterKey) : reporters[0];
      const { createWalletClient, http } = await import("viem");
      const walletClient = createWalletClient({ chain: ctx.publicClient.chain, transport: http(ctx.rpcUrl, { retryCount: 3 }), account: submitter, pollingInterval: config.pollMs });
      const reporter = createReporter({
        publicClient: ctx.publicClient,
        walletClient,
        oracle,
        reporters,
        daily: dailySource(o),
        uptime: uptimeSource(ctx, o),
        logger,
        stateFile: config.state,
        progressEvery: config.progressEvery,
        txTimeoutMs: config.txTimeout * 1000,
      });
      const signal = stopSignal();
      logger.info({ oracle, submitter: submitter.address, reporters: reporters.map((a) => a.address), source: o.source, follow: !!o.follow }, "starting");
      if (!o.follow) {
        const summary = await reporter.run({ from, to: to!, signal });
        process.exitCode = summary.aborted ? 130 : 0;
        return;
      }
      let next = from;
      let errors = 0;
      while (!signal.aborted && (to === undefined || next <= to)) {
        try {
          const last = Math.min(await lastEndedDay(ctx), to ?? Infinity);
          if (next <= last) {
            const s = await reporter.run({ from: next, to: last, signal });
            if (!s.aborted) next = last + 1;
          }
          errors = 0;
          await sleep(config.pollMs);
        } catch (e) {
          logger.warn({ err: describeRevert(e), next: dateOfDay(next), retryMs: backoff(errors, config.pollMs) }, "will retry");
          await sleep(backoff(errors++, config.pollMs));
        }
      }
      process.exitCode = signal.aborted ? 130 : 0;
    });

  sourceOptions(rep.command("sign").description("sign each final day with ONE key and publish it (folder, HTTP)"))
    .requiredOption("--out <dir>", "folder the signed days are written to (<dir>/<YYYY-MM-DD>.json)")
    .option("--serve <port>", "also serve the folder over HTTP on 127.0.0.1 (0 = any free port): GET /reports/<YYYY-MM-DD>.json")
    .action(async (o: SourceOpts & { out: string; serve?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const logger = pino({ level: o.logLevel, base: { svc: "reporter-sign" } });
      const account = privateKeyToAccount(await resolveKey(g.key ?? "REPORTER_KEY"));
      const ctx = await connect(g);
      const oracle = o.oracle ? addressArg("--oracle", o.oracle) : ctx.deployment().oracle;
      const domain = oracleDomain(ctx.chainId, oracle);
      const source = dailySource(o);
      const uptime = uptimeSource(ctx, o);
      const { from, to } = await range(ctx, o);
      const pollMs = Number(o.pollMs);
      const pub = new Publication(o.out);
      if (o.serve !== undefined) {
        const { url } = await pub.serve(Number(o.serve));
        logger.info({ url }, "serving signed days");
        process.stdout.write(`serving ${url}\n`);
      }
      logger.info({ signer: account.address, oracle, from: dateOfDay(from), to: to === undefined ? null : dateOfDay(to) }, "starting");
      const signal = stopSignal();
      let day = from;
      let errors = 0;
      while (!signal.aborted && (to === undefined || day <= to)) {
        const date = dateOfDay(day);
        try {
          if (pub.has(date)) {
            day++;
            continue;
          }
          if (day > (await lastEndedDay(ctx))) {
            if (!o.follow) throw new ConfigError(`--to ${date}: the day has not ended on the chain`);
            await sleep(pollMs);
            continue;
          }
          const report = await source.daily(day);
          const entries = uptime ? await uptime.uptime(day) : [];
          const doc = await signDay(account, domain, report, entries.map((e): UptimeReport => ({ farm: e.farm, day, uptimeBps: e.uptimeBps })));
          pub.write(doc);
          logger.info({ date, bits: report.bits, feesPerBlockSats: report.feesPerBlockSats.toString(), uptime: entries.length }, "signed");
          errors = 0;
          day++;
        } catch (e) {
          if (e instanceof ConfigError || !o.follow) throw e;
          logger.warn({ date, err: (e as Error).message, retryMs: backoff(errors, pollMs) }, "not signed yet; will retry");
          await sleep(backoff(errors++, pollMs));
        }
      }
      logger.info({ next: dateOfDay(day) }, "stopped");
      process.exit(signal.aborted ? 130 : 0); // also closes the HTTP server
    });

  rep
    .command("submit")
    .description("collect signed days from the reporters' locations, submit what a quorum agrees on, report dissent")
    .requiredOption("--locations <list>", "comma-separated: http(s) base URLs of `reporter sign --serve` or folders of `--out`")
    .option("--oracle <address>", "HashpriceOracle (default: the deployment's)")
    .option("--from <YYYY-MM-DD>", "first UTC day (default with --follow: the day before the chain's today)")
    .option("--to <YYYY-MM-DD>", "last UTC day (default: --from; with --follow: none)")
    .option("--follow", "keep running: submit each day once a quorum has published it")
    .option("--dissent-log <file>", "append each dissenting or invalid reporter's document as a JSON line {date, kind, signer, location, detail}")
    .option("--poll-ms <ms>", "polling interval", "1000")
    .addOption(new Option("--log-level <level>", "pino log level").default("info"))
    .action(async (o: { locations: string; oracle?: string; from?: string; to?: string; follow?: boolean; dissentLog?: string; pollMs: string; logLevel: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const logger = pino({ level: o.logLevel, base: { svc: "reporter-submit" } });
      const ctx = await connect(g);
      const wallet = await ctx.wallet();
      const oracle = o.oracle ? addressArg("--oracle", o.oracle) : ctx.deployment().oracle;
      const domain = oracleDomain(ctx.chainId, oracle);
      const locations = o.locations.split(",").map((s) => s.trim()).filter(Boolean);
      if (locations.length === 0) throw new ConfigError("--locations: at least one location");
      const { from, to } = await range(ctx, o as unknown as SourceOpts);
      const pollMs = Number(o.pollMs);
      const signal = stopSignal();
      const reported = new Set<string>();
      const report = (date: string, f: Finding) => {
        const id = `${date}|${f.location}|${f.kind}`;
        if (reported.has(id)) return;
        reported.add(id);
        logger.warn({ date, ...f }, f.kind);
        if (o.dissentLog && f.kind !== "unreachable") appendFileSync(o.dissentLog, JSON.stringify({ date, ...f }) + "\n");
      };
      const read = <T>(functionName: string, args: unknown[] = []) => ctx.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName, args } as never) as Promise<T>;

      /** Handles one day; true when its daily report is on chain (final or pending). */
      async function handle(day: number): Promise<boolean> {
        const date = dateOfDay(day);
        const [set, quorum] = await read<readonly [readonly Address[], number]>("reporters");
        const members = new Set(set.map((a) => a.toLowerCase()));
        const docs: Verified[] = [];
        await Promise.all(
          locations.map(async (loc) => {
            let raw: unknown;
            try {
              raw = await fetchSigned(loc, date);
            } catch (e) {
              report(date, { location: loc, kind: "unreachable", detail: (e as Error).message });
              return;
            }
            if (raw === undefined) return;
            const v = await verify(raw, loc, domain, day, members);
            if ("kind" in v) report(date, v);
            else docs.push(v);
          }),
        );
        const { agreed, dissents } = agree(docs, quorum);
        for (const d of dissents) report(date, d);
        const status = (await read<{ status: number }>("dailyValues", [day])).status;
        let onChain = status !== Status.None;
        const send = async (functionName: string, args: unknown[], skip: string) => {
          try {
            const { request } = await ctx.publicClient.simulateContract({ account: wallet.account, address: oracle, abi: hashpriceOracleAbi, functionName, args } as never);
            const hash = await wallet.writeContract(request as never);
            const r = await ctx.publicClient.waitForTransactionReceipt({ hash });
            logger.info({ date, tx: hash, block: Number(r.blockNumber), status: r.status }, `${functionName} mined`);
            return r.status === "success";
          } catch (e) {
            if (revertName(e) === skip) return true;
            throw e;
          }
        };
        if (!onChain && agreed) {
          logger.info({ date, signers: agreed.signers.length, quorum }, "quorum agrees; submitting");
          onChain = await send("submitDailyReport", [agreed.report, agreed.signatures], "AlreadyReported");
        } else if (!onChain) {
          logger.debug({ date, signed: docs.length, quorum }, "no quorum yet");
        }
        if (onChain && docs.length > 0) {
          const up = agreeUptime(docs, quorum);
          const done = await Promise.all(up.reports.map((r) => read<boolean>("hasUptime", [r.farm, day])));
          const todo = up.reports.map((r, i) => ({ r, s: up.signatures[i] })).filter((_, i) => !done[i]);
          if (todo.length > 0) await send("submitUptimeReports", [todo.map((t) => t.r), todo.map((t) => t.s)], "UptimeAlreadyReported");
        }
        return onChain;
      }

      logger.info({ submitter: wallet.account.address, oracle, locations, from: dateOfDay(from) }, "starting");
      let day = from;
      let errors = 0;
      while (!signal.aborted && (to === undefined || day <= to)) {
        try {
          if (day > (await lastEndedDay(ctx))) {
            if (!o.follow) break;
            await sleep(pollMs);
            continue;
          }
          const done = await handle(day);
          errors = 0;
          if (done) day++;
          else if (!o.follow) {
            logger.error({ date: dateOfDay(day) }, "no quorum of agreeing signatures");
            process.exitCode = 1;
            break;
          } else await sleep(pollMs);
        } catch (e) {
          logger.warn({ date: dateOfDay(day), err: describeRevert(e), retryMs: backoff(errors, pollMs) }, "will retry");
          await sleep(backoff(errors++, pollMs));
        }
      }
      logger.info({ next: dateOfDay(day) }, "stopped");
    });
}

