/**
 * Where the reporter's numbers come from: the daily network inputs (`DailySource`), the BTC/USD price
 * (`PriceSource`) and each farm's uptime (`UptimeSource`). The Bitcoin Core source is in `bitcoind.ts`.
 */
import { readFileSync } from "node:fs";
import type { Address } from "viem";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { type DayInputs, defaultDataDir, loadDays } from "../../domain/data.js";
import { dateOfDay, dayOfDate, parseDecimal } from "../../domain/units.js";
import type { DailyReport } from "./sign.js";

/** The daily network inputs of one UTC day (the `DailyReport` fields). */
export interface DailySource {
  /** Inputs of `day` (UTC day number). Rejects when the day is not available (yet). */
  daily(day: number): Promise<DailyReport>;
}

/** BTC/USD per UTC day. */
export interface PriceSource {
  /** BTC/USD × 1e8 of `day`; 0n when there is none. */
  btcUsdE8(day: number): Promise<bigint>;
}

/** One farm's uptime on one day. */
export interface UptimeEntry {
  farm: Address;
  /** delivered hashrate, bps of the promised hashrate (0..10000) */
  uptimeBps: number;
}

/** Farm uptime per UTC day. */
export interface UptimeSource {
  /** Every farm's uptime of `day` (empty when none is known). */
  uptime(day: number): Promise<UptimeEntry[]>;
}

let cachedDays: { dir: string; days: Map<number, DayInputs> } | undefined;
function days(dir: string): Map<number, DayInputs> {
  if (cachedDays?.dir !== dir) cachedDays = { dir, days: loadDays(dir) };
  return cachedDays.days;
}

/**
 * The real daily data of `../shared/data` (domain/data.ts): header bits and subsidy in force at the end
 * of the day, the day's heights (first height and block count, dated by median-time-past), fees per block =
 * the day's fees ÷ its blocks, price = Coin Metrics reference rate (0n before 2010-07-18).
 */
export class CsvSource implements DailySource, PriceSource {
  private readonly days: Map<number, DayInputs>;
  /** @param dir folder holding the four CSV files (default `$HASHPOWER_DATA_DIR`, else `../shared/data`) */
  constructor(dir: string = defaultDataDir()) {
    this.days = days(dir);
  }
  /** Rejects when the data has no row for `day`. */
  async daily(day: number): Promise<DailyReport> {
    const d = this.row(day);
    return {
      day,
      firstHeight: d.firstHeight,
      blocks: d.blocks,
      bits: d.bits,
      subsidySats: d.subsidySats,
      feesPerBlockSats: d.feesPerBlockSats,
      btcUsdE8: d.btcUsdE8,
    };
  }
  /** Coin Metrics reference rate × 1e8; rejects when the data has no row for `day`. */
  async btcUsdE8(day: number): Promise<bigint> {
    return this.row(day).btcUsdE8;
  }
  private row(day: number): DayInputs {
    const d = this.days.get(day);
    if (!d) throw new Error(`CSV data has no row for ${dateOfDay(day)} (day ${day})`);
    return d;
  }
}

/** The same BTC/USD price every day. */
export class FixedPriceSource implements PriceSource {
  /** @param usd BTC/USD as a decimal string, e.g. "65000.5" */
  constructor(usd: string) {
    this.e8 = parseDecimal(usd, 8);
  }
  private readonly e8: bigint;
  async btcUsdE8(): Promise<bigint> {
    return this.e8;
  }
}

const uptimeRow = z.object({
  farm: z.string().refine((s) => isAddress(s, { strict: false }), "not an address"),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
  uptimeBps: z.coerce.number().int("not an integer").min(0).max(10_000),
});

/** An uptime source over fixed records `{farm, date (YYYY-MM-DD), uptimeBps}`. Throws naming the bad record and field. */
export function uptimeFromRecords(records: readonly unknown[], origin = "uptime"): UptimeSource {
  const byDay = new Map<number, Map<Address, number>>();
  records.forEach((r, i) => {
    const parsed = uptimeRow.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${origin} record ${i + 1}: ${issue.path.join(".") || "record"}: ${issue.message}`);
    }
    const { farm, date, uptimeBps } = parsed.data;
    const day = dayOfDate(date);
    const m = byDay.get(day) ?? new Map<Address, number>();
    const a = getAddress(farm);
    if (m.has(a)) throw new Error(`${origin} record ${i + 1}: duplicate uptime for ${a} on ${date}`);
    m.set(a, uptimeBps);
    byDay.set(day, m);
  });
  return {
    async uptime(day) {
      return [...(byDay.get(day) ?? new Map<Address, number>())].map(([farm, uptimeBps]) => ({ farm, uptimeBps }));
    },
  };
}

/**
 * Uptime from a file: CSV with header `farm,date,uptime_bps`, or JSON (`.json`): an array of
 * `{ "farm": "0x…", "date": "YYYY-MM-DD", "uptimeBps": 9950 }`.
 */
export function uptimeFromFile(path: string): UptimeSource {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".json")) {
    const data: unknown = JSON.parse(text);
    if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of {farm, date, uptimeBps}`);
    return uptimeFromRecords(data, path);
  }
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header.split(",").map((c) => c.trim());
  for (const c of ["farm", "date", "uptime_bps"]) if (!cols.includes(c)) throw new Error(`${path}: missing column "${c}"`);
  const records = lines.map((l) => {
    const cells = l.split(",").map((c) => c.trim());
    const o = Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
    return { farm: o.farm, date: o.date, uptimeBps: o.uptime_bps };
  });
  return uptimeFromRecords(records, path);
}
