/**
 * A holder's daily statement: GraphQL `statement(account, seriesId, from, to)` and `GET /statement.csv` (the same
 * rows as CSV). Per UTC day and series, the holder's units at the record point (when the day was settled) and its
 * sats: gross, pool fee, downtime, compensation, electricity, service, unpaid (the holder's part of debt the farm
 * could not pay that day), net (what the token credited), debt repaid, claims. Formulas: domain/yield.ts.
 *
 * How it is built, per series, from the indexed events up to the block read (all exact integers):
 *   - the holder's balance is replayed from its transfers (mints and burns included), in log order;
 *   - a settlement credits the day's per-TH/s·day components × units ÷ termDays (the record point: the balance at the
 *     settlement; units moved earlier in that transaction cannot be settled in it, the token's record-date rule);
 *   - a distribution credits units × (accumulator after − accumulator before), sats × 1e36: daily ones to their
 *     settled day (`netSats`), debt repayments to the UTC day of their block (`repaidSats`);
 *   - whole sats per day by differencing a running floor, so Σ over every day = what the token pays:
 *     Σ netSats + Σ repaidSats = claimed + claimable, to the sat (checked on every call).
 * Units held through the series' wrapper or as Morpho collateral earn inside the wrapper (its own statement), not
 * here: this is the statement of the units the account holds directly.
 */
import { stringify } from "csv-stringify/sync";
import * as acc from "../../domain/accumulator.js";
import { ACC_SCALE, E18, dateOfDay, formatScaled } from "../../domain/units.js";
import { RunningFloor, creditE36 } from "../../domain/yield.js";
import { parseAddress, parseDay, parseId, userError, type ReadContext } from "./read.js";

/** Longest window of one statement, days. */
export const MAX_STATEMENT_DAYS = 3660;

/** Per-holder sats of a row or a total (decimal strings, whole sats). */
export interface StatementSats {
  grossSats: string;
  poolFeeSats: string;
  downtimeSats: string;
  compensationSats: string;
  electricitySats: string;
  serviceSats: string;
  unpaidSats: string;
  netSats: string;
  repaidSats: string;
  creditedSats: string;
  claimedSats: string;
}

/** One UTC day of one series in a holder's statement. */
export interface StatementDay extends StatementSats {
  seriesId: string;
  day: number;
  date: string;
  /** the day was settled (the fields up to btcUsdE8 are null otherwise: a row of repayments or claims only) */
  settled: boolean;
  units: string | null;
  hashpriceE18: string | null;
  uptimeBps: number | null;
  btcUsdE8: string | null;
}

/** One series of a statement: its totals over the window and the holder's claimed and claimable now. */
export interface StatementSeries {
  seriesId: string;
  termDays: number;
  totals: StatementSats;
  claimedSats: string;
  claimableSats: string;
  accruedSats: string;
  /** every credit of the holder lies in the window: totals.creditedSats = accruedSats */
  complete: boolean;
}

export interface Statement {
  account: string;
  from: number;
  to: number;
  /** block the statement reads */
  block: number | null;
  series: StatementSeries[];
  days: StatementDay[];
  totals: StatementSats;
  claimedSats: string;
  claimableSats: string;
  accruedSats: string;
  complete: boolean;
}

const SATS_KEYS = [
  "grossSats", "poolFeeSats", "downtimeSats", "compensationSats", "electricitySats", "serviceSats", "unpaidSats", "netSats",
  "repaidSats", "creditedSats", "claimedSats",
] as const;
type SatsKey = (typeof SATS_KEYS)[number];
type Sums = Record<SatsKey, bigint>;
/** Settlement columns (per TH/s·day, sats × 1e18) → statement field. */
const COMPONENTS: [string, SatsKey][] = [
  ["gross_e18", "grossSats"], ["pool_fee_e18", "poolFeeSats"], ["downtime_e18", "downtimeSats"],
  ["compensation_e18", "compensationSats"], ["electricity_e18", "electricitySats"], ["service_e18", "serviceSats"],
];

const zero = (): Sums => Object.fromEntries(SATS_KEYS.map((k) => [k, 0n])) as Sums;
const strs = (s: Sums): StatementSats => Object.fromEntries(SATS_KEYS.map((k) => [k, s[k].toString()])) as unknown as StatementSats;
function addInto(into: Sums, x: Sums) {
  for (const k of SATS_KEYS) into[k] += x[k];
}

/** Arguments of a statement (GraphQL arguments or the CSV query string, unvalidated). */
export interface StatementArgs {
  account: string;
  seriesId?: string | null;
  from: number;
  to: number;
}

/**
 * Builds the statement of `args.account` for the UTC days [from, to] at the block `read` reads. Errors:
 * BAD_USER_INPUT (address, ids, days, a window over MAX_STATEMENT_DAYS), NOT_FOUND (unknown series).
 */
export async function buildStatement(read: ReadContext, args: StatementArgs): Promise<Statement> {
  const account = parseAddress(args.account, "account");
  const from = parseDay(args.from, "from");
  const to = parseDay(args.to, "to");
  if (from > to) throw userError(`from: ${from} is after to (${to})`);
  if (to - from >= MAX_STATEMENT_DAYS) throw userError(`from..to: at most ${MAX_STATEMENT_DAYS} days (asked ${to - from + 1})`);
  const { db } = read.ctx;
  const n = read.asOf ?? read.ctx.state.checkpoint?.number ?? -1;
  const series = n < 0 ? new Map() : await read.snaps.seriesAt(n);
  let ids: string[];
  if (args.seriesId != null) {
    const id = parseId(args.seriesId, "seriesId");
    if (!series.has(id)) throw userError(`series ${id} not found`, "NOT_FOUND");
    ids = [id];
  } else {
    const rows = n < 0 ? [] : await db.query(`SELECT DISTINCT t.series_id FROM positions t WHERE t.holder = $1 AND t.block_from <= $2`, [account, n]);
    ids = rows.map((r) => String(r.series_id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  }
  const out: Statement = {
    account, from, to, block: n < 0 ? null : n, series: [], days: [], totals: strs(zero()),
    claimedSats: "0", claimableSats: "0", accruedSats: "0", complete: true,
  };
  const all = zero();
  let claimed = 0n;
  let claimable = 0n;
  for (const id of ids) {
    const s = await seriesStatement(read, n, series.get(id)!, account, from, to);
    out.series.push(s.summary);
    out.days.push(...s.days);
    addInto(all, s.sums);
    claimed += BigInt(s.summary.claimedSats);
    claimable += BigInt(s.summary.claimableSats);
    out.complete &&= s.summary.complete;
  }
  out.days.sort((a, b) => a.day - b.day || (BigInt(a.seriesId) < BigInt(b.seriesId) ? -1 : 1));
  out.totals = strs(all);
  out.claimedSats = claimed.toString();
  out.claimableSats = claimable.toString();
  out.accruedSats = (claimed + claimable).toString();
  return out;
}

/** An indexed event of the walk: kind, block, log index, index in a batch, row. */
type Ev = { k: "transfer" | "settlement" | "distribution" | "claim"; b: number; l: number; i: number; r: Record<string, any> };

/** One series of the statement (see the module comment). */
async function seriesStatement(read: ReadContext, n: number, sr: Record<string, any>, account: string, from: number, to: number) {
  const { db } = read.ctx;
  const id = String(sr.id);
  const term = Number(sr.term_days);
  const q = (sql: string, extra: unknown[] = []) => db.query(sql, [id, n, ...extra]);
  const [transfers, settlements, distributions, claims, pos] = await Promise.all([
    q(`SELECT t.block_number, t.log_index, t.batch_index, t.from_address, t.to_address, t.amount FROM transfers t
       WHERE t.series_id = $1::numeric AND t.block_number <= $2::bigint AND (t.from_address = $3 OR t.to_address = $3)`, [account]),
    q(`SELECT t.* FROM settlements t WHERE t.series_id = $1::numeric AND t.block_number <= $2::bigint`),
    q(`SELECT t.block_number, t.log_index, t.kind, t.day, t.acc_per_unit_e36 FROM distributions t
       WHERE t.series_id = $1::numeric AND t.block_number <= $2::bigint`),
    q(`SELECT t.block_number, t.log_index, t.amount FROM claims t WHERE t.series_id = $1::numeric AND t.block_number <= $2::bigint AND t.holder = $3`, [account]),
    q(`SELECT t.balance, t.paid_e36, t.accrued_e36, t.claimed FROM positions t WHERE t.series_id = $1::numeric AND t.holder = $3
       AND t.block_from <= $2::bigint AND (t.block_to IS NULL OR t.block_to > $2::bigint)`, [account]),
  ]);
  const ev = (k: Ev["k"], rows: Record<string, any>[]): Ev[] =>
    rows.map((r) => ({ k, b: Number(r.block_number), l: Number(r.log_index), i: Number(r.batch_index ?? 0), r }));
  const events = [...ev("transfer", transfers), ...ev("settlement", settlements), ...ev("distribution", distributions), ...ev("claim", claims)]
    .sort((x, y) => x.b - y.b || x.l - y.l || x.i - y.i);

  const rows = new Map<number, { day: StatementDay; sums: Sums }>();
  const row = (day: number) => {
    let r = rows.get(day);
    if (!r) {
      r = {
        day: { seriesId: id, day, date: dateOfDay(day), settled: false, units: null, hashpriceE18: null, uptimeBps: null, btcUsdE8: null } as StatementDay,
        sums: zero(),
      };
      rows.set(day, r);
    }
    return r;
  };
  const inWindow = (day: number) => day >= from && day <= to;
  const credit = new RunningFloor(ACC_SCALE);
  const comps = new Map(COMPONENTS.map(([c]) => [c, new RunningFloor(BigInt(term) * E18)]));
  let creditedOutside = 0n;
  let balance = 0n;
  let accBefore = 0n;
  for (const e of events) {
    const r = e.r;
    if (e.k === "transfer") {
      if (r.to_address === account) balance += BigInt(r.amount);
      if (r.from_address === account) balance -= BigInt(r.amount);
    } else if (e.k === "settlement") {
      const parts = COMPONENTS.map(([c, key]) => [key, comps.get(c)!.add(balance * BigInt(r[c]))] as const);
      if (balance === 0n || !inWindow(r.day)) continue;
      const x = row(r.day);
      Object.assign(x.day, { settled: true, units: balance.toString(), hashpriceE18: String(r.hashprice_e18), uptimeBps: r.uptime_bps, btcUsdE8: String(r.btc_usd_e8) });
      for (const [key, v] of parts) x.sums[key] += v;
      // the holder's part of what the farm could not pay that day (floored; informational)
      if (BigInt(r.supply) > 0n) x.sums.unpaidSats += (balance * BigInt(r.debt_added)) / BigInt(r.supply);
    } else if (e.k === "distribution") {
      const after = BigInt(r.acc_per_unit_e36);
      const sats = credit.add(creditE36(balance, accBefore, after));
      accBefore = after;
      const day = r.kind === "daily" ? Number(r.day) : await read.snaps.dayAt(e.b);
      if (!inWindow(day)) {
        creditedOutside += sats;
        continue;
      }
      if (sats === 0n && r.kind !== "daily") continue;
      const x = rows.get(day) ?? (sats > 0n ? row(day) : undefined);
      if (!x) continue;
      x.sums[r.kind === "daily" ? "netSats" : "repaidSats"] += sats;
      x.sums.creditedSats += sats;
    } else {
      const day = await read.snaps.dayAt(e.b);
      if (inWindow(day)) row(day).sums.claimedSats += BigInt(r.amount);
    }
  }

  // the holder's claimed and claimable now, from its checkpoint (what the token's claimable() returns)
  const p = pos[0];
  const h: acc.HolderAcc = p
    ? { balance: BigInt(p.balance), paidE36: BigInt(p.paid_e36), accruedE36: BigInt(p.accrued_e36) }
    : { balance: 0n, paidE36: 0n, accruedE36: 0n };
  const claimable = acc.claimable({ supply: BigInt(sr.supply), accPerUnitE36: BigInt(sr.acc_per_unit_e36), carryE36: BigInt(sr.carry_e36) }, h);
  const claimed = p ? BigInt(p.claimed) : 0n;
  if (credit.total !== claimed + claimable) {
    // the replay of the events disagrees with the holder's checkpoint: an indexing fault, never shown as a statement
    throw new Error(`statement of ${account} in series ${id}: credits ${credit.total} ≠ claimed ${claimed} + claimable ${claimable}`);
  }
  const days = [...rows.values()].sort((a, b) => a.day.day - b.day.day);
  const sums = zero();
  for (const x of days) addInto(sums, x.sums);
  return {
    days: days.map((x) => ({ ...x.day, ...strs(x.sums) })),
    sums,
    summary: {
      seriesId: id, termDays: term, totals: strs(sums), claimedSats: claimed.toString(), claimableSats: claimable.toString(),
      accruedSats: (claimed + claimable).toString(), complete: creditedOutside === 0n,
    } satisfies StatementSeries,
  };
}

/** CSV columns: header (with its unit) → value of a row. */
const CSV_COLUMNS: [string, (d: StatementDay) => string][] = [
  ["date", (d) => d.date],
  ["day", (d) => String(d.day)],
  ["series_id", (d) => d.seriesId],
  ["units_ths_days", (d) => d.units ?? ""],
  ["hashprice_sats_per_ths_day", (d) => (d.hashpriceE18 === null ? "" : formatScaled(BigInt(d.hashpriceE18), 18, 8))],
  ["uptime_bps", (d) => (d.uptimeBps === null ? "" : String(d.uptimeBps))],
  ["btc_usd", (d) => (d.btcUsdE8 === null ? "" : formatScaled(BigInt(d.btcUsdE8), 8, 2))],
  ["gross_sats", (d) => d.grossSats],
  ["pool_fee_sats", (d) => d.poolFeeSats],
  ["downtime_sats", (d) => d.downtimeSats],
  ["compensation_sats", (d) => d.compensationSats],
  ["electricity_sats", (d) => d.electricitySats],
  ["service_sats", (d) => d.serviceSats],
  ["unpaid_sats", (d) => d.unpaidSats],
  ["net_sats", (d) => d.netSats],
  ["repaid_sats", (d) => d.repaidSats],
  ["credited_sats", (d) => d.creditedSats],
  ["claimed_sats", (d) => d.claimedSats],
];

/** The statement's days as CSV (RFC 4180, header row first; amounts are whole sats, exact). */
export function statementCsv(s: Statement): string {
  return stringify([CSV_COLUMNS.map(([h]) => h), ...s.days.map((d) => CSV_COLUMNS.map(([, f]) => f(d)))]);
}

/** The CSV's header names, in order. */
export const STATEMENT_CSV_HEADER = CSV_COLUMNS.map(([h]) => h);
