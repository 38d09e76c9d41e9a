/**
 * The oracle reporter: reads each day's inputs from a `DailySource` and farm uptime from an `UptimeSource`,
 * signs them with the N reporter keys (EIP-712) and submits them to the HashpriceOracle.
 *
 * Idempotent across restarts: the chain is the source of truth. Before anything is sent the submitter's
 * in-flight transactions (pending nonce > mined nonce, e.g. after a kill between send and receipt) are waited
 * for; then each day's `dailyValues(day).status` and `hasUptime(farm, day)` are read and only what is missing
 * is sent (its gas estimation runs it first: a report that another submitter landed meanwhile shows as
 * `AlreadyReported` and is skipped), the daily report before the uptime batch, and both are awaited. The optional
 * state file only hints where to resume.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Account, Address, Chain, Hex, LocalAccount, PublicClient, Transport, WalletClient } from "viem";
import { BaseError, ContractFunctionRevertedError, getAddress } from "viem";
import type { Logger } from "pino";
import { dateOfDay } from "../../domain/units.js";
import { hashpriceOracleAbi, Status } from "./abi.js";
import { type OracleDomain, oracleDomain, signDailyReport, signUptimeReport, sortSigners, type UptimeReport } from "./sign.js";
import type { DailySource, UptimeSource } from "./sources.js";

/** Everything the reporter uses, passed explicitly. */
export interface ReporterContext {
  /** reads: oracle state, receipts, nonces; its `pollingInterval` sets how often receipts are polled */
  publicClient: PublicClient<Transport, Chain>;
  /** the submitter (pays gas; need not be a reporter) */
  walletClient: WalletClient<Transport, Chain, Account>;
  oracle: Address;
  /** reporter keys; those in the oracle's current reporter set sign every report */
  reporters: readonly LocalAccount[];
  daily: DailySource;
  uptime?: UptimeSource;
  logger: Logger;
  /** optional JSON file `{chainId, oracle, lastDay}`: a resume hint, verified on chain */
  stateFile?: string;
  /** a progress line every this many days (default 100) */
  progressEvery?: number;
  /** how long to wait for the submitter's in-flight transactions and for receipts, ms (default 600 000) */
  txTimeoutMs?: number;
}

/** What `reportDay` did. */
export interface DayResult {
  day: number;
  date: string;
  /** `submitted` now, or already on chain: `final`, or `pending` (waits for a guardian; not resubmitted) */
  daily: "submitted" | "final" | "pending";
  uptimeSubmitted: number;
  uptimeSkipped: number;
  txs: Hex[];
}

/** What `run` did. */
export interface RunSummary {
  from: number;
  to: number;
  /** first day that was not complete on chain (undefined: the whole range already was) */
  resumedAt: number | undefined;
  days: number;
  dailySubmitted: number;
  dailySkipped: number;
  uptimeSubmitted: number;
  txs: number;
  seconds: number;
  /** stopped early by the abort signal */
  aborted: boolean;
}

/** A reporter bound to one oracle. */
export interface Reporter {
  /**
   * Reports `day` (daily report, then the missing uptime reports in one call), skipping what the chain has.
   * `hooks.sent(hashes)` is called once the day's transactions are sent, before their receipts are awaited: a caller
   * that mines blocks itself (a dev chain with automine off) mines them there.
   */
  reportDay(day: number, hooks?: { sent?: (hashes: Hex[]) => Promise<void> }): Promise<DayResult>;
  /** Reports every day of [from, to] (UTC day numbers), resuming at the first day not complete on chain. */
  run(opts: { from: number; to: number; signal?: AbortSignal }): Promise<RunSummary>;
  /** First day of [from, to] whose daily report or some known uptime is not on chain; undefined when none. */
  firstIncompleteDay(from: number, to: number): Promise<number | undefined>;
}

interface StateHint {
  chainId: number;
  oracle: Address;
  lastDay: number;
}

/** Creates a reporter over `ctx`. */
export function createReporter(ctx: ReporterContext): Reporter {
  const { publicClient, walletClient, logger } = ctx;
  const oracle = getAddress(ctx.oracle);
  const submitter = walletClient.account.address;
  const txTimeoutMs = ctx.txTimeoutMs ?? 600_000;
  const progressEvery = ctx.progressEvery ?? 100;
  const reporters = sortSigners(ctx.reporters);
  let domain: OracleDomain | undefined;
  let settled = false;

  const read = {
    status: (day: number) => publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [day] }).then((v) => v.status),
    hasUptime: (farm: Address, day: number) => publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "hasUptime", args: [farm, day] }),
  };

  /** Once per reporter: the EIP-712 domain, and no submitter transaction left in flight from an earlier process. */
  async function settle(): Promise<OracleDomain> {
    if (settled && domain) return domain;
    domain = oracleDomain(await publicClient.getChainId(), oracle);
    const deadline = Date.now() + txTimeoutMs;
    for (let polls = 0; ; polls++) {
      const [pending, mined] = await Promise.all([
        publicClient.getTransactionCount({ address: submitter, blockTag: "pending" }),
        publicClient.getTransactionCount({ address: submitter, blockTag: "latest" }),
      ]);
      if (pending <= mined) break;
      if (Date.now() > deadline) throw new Error(`submitter ${submitter} still has ${pending - mined} transaction(s) in flight after ${txTimeoutMs} ms`);
      if (polls === 0) logger.warn({ submitter, inFlight: pending - mined }, "waiting for in-flight transactions of the submitter before reading the chain");
      await sleep(publicClient.pollingInterval);
    }
    settled = true;
    return domain;
  }

  /** Signers for the oracle's current reporter set; throws when our keys cannot reach the quorum. */
  async function signers(): Promise<LocalAccount[]> {
    const [set, quorum] = await publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "reporters" });
    const members = new Set(set.map((a) => a.toLowerCase()));
    const ours = reporters.filter((a) => members.has(a.address.toLowerCase()));
    if (ours.length < quorum) throw new Error(`only ${ours.length} of the ${reporters.length} reporter keys are in the oracle's reporter set; quorum is ${quorum}`);
    return ours;
  }

  /**
   * Sends one oracle call without waiting for it to be mined; returns undefined when it would revert with
   * `skipError` (already there). The send's gas estimation runs the call first (the wallet's `eth_estimateGas`, or the
   * node's for a node account), so a revert is caught before anything is broadcast, decoded with the oracle's ABI.
   */
  async function send(
    label: Record<string, unknown>,
    call: { functionName: "submitDailyReport" | "submitUptimeReports"; args: readonly unknown[] },
    skipError: string,
  ): Promise<Hex | undefined> {
    try {
      const hash = await walletClient.writeContract({ address: oracle, abi: hashpriceOracleAbi, ...call } as Parameters<typeof walletClient.writeContract>[0]);
      logger.info({ ...label, tx: hash }, "sent");
      return hash;
    } catch (e) {
      const name = revertName(e);
      if (name === skipError) {
        logger.info({ ...label, error: name }, "already on chain (landed meanwhile); skipped");
        return undefined;
      }
      throw e;
    }
  }

  /** Waits until `hash` is mined; throws when it reverted. */
  async function mined(label: Record<string, unknown>, functionName: string, hash: Hex): Promise<void> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: txTimeoutMs });
    if (receipt.status !== "success") throw new Error(`${functionName} ${hash} reverted (block ${receipt.blockNumber})`);
    logger.info({ ...label, tx: hash, block: Number(receipt.blockNumber), gasUsed: Number(receipt.gasUsed) }, "mined");
  }

  /**
   * The daily report is sent first, then the uptime batch, both from the one submitter: their nonces keep that order
   * on chain. The uptime batch is sent without waiting for the daily report to be mined, and both receipts are then
   * awaited together (after `hooks.sent`). A crash in between leaves the daily report sent or in flight: the restart
   * waits for it (`settle`) and reads the chain, so it sends only the uptime.
   */
  async function reportDay(day: number, hooks: { sent?: (hashes: Hex[]) => Promise<void> } = {}): Promise<DayResult> {
    const dom = await settle();
    const date = dateOfDay(day);
    const result: DayResult = { day, date, daily: "final", uptimeSubmitted: 0, uptimeSkipped: 0, txs: [] };
    const waits: (() => Promise<void>)[] = [];
    const wait = (p: () => Promise<void>) => waits.push(p);

    // the reporter set is read beside the day's status (one batched request); it is used only if something is sent
    const keys = signers();
    keys.catch(() => {});
    const status = await read.status(day);
    if (status === Status.None) {
      const report = await ctx.daily.daily(day);
      if (report.day !== day) throw new Error(`daily source returned day ${report.day} for ${day}`);
      const sigs = await signDailyReport(await keys, dom, report);
      const label = { date, kind: "daily", bits: report.bits };
      const hash = await send(label, { functionName: "submitDailyReport", args: [report, sigs] }, "AlreadyReported");
      if (hash) {
        result.daily = "submitted";
        result.txs.push(hash);
        wait(() => mined(label, "submitDailyReport", hash));
      }
    } else {
      result.daily = status === Status.Pending ? "pending" : "final";
      if (status === Status.Pending) logger.warn({ date }, "daily report is pending a guardian; not resubmitted");
    }

    if (ctx.uptime) {
      const entries = await ctx.uptime.uptime(day);
      const done = await Promise.all(entries.map((e) => read.hasUptime(e.farm, day)));
      const todo: UptimeReport[] = entries.filter((_, i) => !done[i]).map((e) => ({ farm: e.farm, day, uptimeBps: e.uptimeBps }));
      result.uptimeSkipped = entries.length - todo.length;
      if (todo.length > 0) {
        const k = await keys;
        const sigs = await Promise.all(todo.map((r) => signUptimeReport(k, dom, r)));
        const label = { date, kind: "uptime", farms: todo.length };
        const hash = await send(label, { functionName: "submitUptimeReports", args: [todo, sigs] }, "UptimeAlreadyReported");
        if (hash) {
          result.uptimeSubmitted = todo.length;
          result.txs.push(hash);
          wait(() => mined(label, "submitUptimeReports", hash));
        }
      }
    }
    if (hooks.sent && result.txs.length > 0) await hooks.sent(result.txs);
    await Promise.all(waits.map((f) => f()));
    return result;
  }

  /** Whether `day` is complete on chain: a daily report (final or pending) and every uptime the source knows. */
  async function complete(day: number): Promise<boolean> {
    const entries = ctx.uptime ? await ctx.uptime.uptime(day) : [];
    const [status, ...up] = await Promise.all([read.status(day), ...entries.map((e) => read.hasUptime(e.farm, day))]);
    return status !== Status.None && up.every(Boolean);
  }

  async function firstIncompleteDay(from: number, to: number): Promise<number | undefined> {
    const CHUNK = 32;
    for (let d = from; d <= to; d += CHUNK) {
      const days = Array.from({ length: Math.min(CHUNK, to - d + 1) }, (_, i) => d + i);
      const ok = await Promise.all(days.map(complete));
      const i = ok.indexOf(false);
      if (i >= 0) return days[i];
    }
    return undefined;
  }

  function readHint(): StateHint | undefined {
    if (!ctx.stateFile) return undefined;
    try {
      return JSON.parse(readFileSync(ctx.stateFile, "utf8")) as StateHint;
    } catch {
      return undefined;
    }
  }

  function writeHint(day: number, chainId: number): void {
    if (!ctx.stateFile) return;
    const tmp = `${ctx.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ chainId, oracle, lastDay: day } satisfies StateHint) + "\n");
    renameSync(tmp, ctx.stateFile);
  }

  async function run({ from, to, signal }: { from: number; to: number; signal?: AbortSignal }): Promise<RunSummary> {
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) throw new Error(`invalid day range ${from}..${to}`);
    const t0 = performance.now();
    const dom = await settle();
    // Resume: the hint may skip the scan of the days before it, but only once the chain confirms its day.
    const hint = readHint();
    let scanFrom = from;
    if (hint && hint.chainId === dom.chainId && getAddress(hint.oracle) === oracle && hint.lastDay >= from && hint.lastDay < to && (await complete(hint.lastDay))) {
      scanFrom = hint.lastDay + 1;
    }
    const resumedAt = await firstIncompleteDay(scanFrom, to);
    const summary: RunSummary = { from, to, resumedAt, days: to - from + 1, dailySubmitted: 0, dailySkipped: 0, uptimeSubmitted: 0, txs: 0, seconds: 0, aborted: false };
    logger.info({ from: dateOfDay(from), to: dateOfDay(to), resumeAt: resumedAt === undefined ? null : dateOfDay(resumedAt), hint: hint?.lastDay === undefined ? null : dateOfDay(hint.lastDay) }, resumedAt === undefined ? "range already reported" : "resuming");
    if (resumedAt !== undefined) {
      summary.dailySkipped = resumedAt - from;
      const total = to - resumedAt + 1;
      const tRun = performance.now();
      for (let day = resumedAt; day <= to; day++) {
        if (signal?.aborted) {
          summary.aborted = true;
          logger.warn({ date: dateOfDay(day) }, "stopped before this day");
          break;
        }
        const r = await reportDay(day);
        if (r.daily === "submitted") summary.dailySubmitted++;
        else summary.dailySkipped++;
        summary.uptimeSubmitted += r.uptimeSubmitted;
        summary.txs += r.txs.length;
        writeHint(day, dom.chainId);
        const done = day - resumedAt + 1;
        if (done % progressEvery === 0 || day === to) {
          const s = (performance.now() - tRun) / 1000;
          const rate = done / s;
          logger.info({ date: r.date, done, of: total, daysPerSec: round(rate), etaSec: round((total - done) / rate), txs: summary.txs }, "progress");
        }
      }
    } else {
      summary.dailySkipped = summary.days;
    }
    summary.seconds = round((performance.now() - t0) / 1000);
    logger.info(summary, "run finished");
    return summary;
  }

  return { reportDay, run, firstIncompleteDay };
}

/** The custom error name of a reverted contract call, if any. */
export function revertName(e: unknown): string | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
  return r instanceof ContractFunctionRevertedError ? r.data?.errorName : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;
