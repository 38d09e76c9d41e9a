/**
 * Loads the real Bitcoin data shipped in `data/` (copied from shared/data, licences in data/README.md) into
 * one record per UTC day: the header `bits` in force at the end of the day, the subsidy, fees (0: the data has
 * none, so hashprice is the subsidy-only lower bound) and the Coin Metrics BTC/USD reference rate.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dayOfDate, parseDecimal } from "./units.js";
import { hashpriceE18 } from "./hashprice.js";

/** Default data folder: `<repo>/data`. */
export const DATA_DIR = fileURLToPath(new URL("../../data/", import.meta.url));

/** One day's report inputs. */
export interface DayInputs {
  day: number;
  date: string;
  /** compact target in force at 23:59:59 UTC (from btc_epochs.csv, matched on difficulty) */
  bits: number;
  difficulty: string;
  subsidySats: bigint;
  feesPerBlockSats: bigint;
  /** BTC/USD × 1e8; 0n before 2010-07-18 (no price) */
  btcUsdE8: bigint;
  /** gross hashprice, sats per TH/s·day × 1e18 */
  hashpriceE18: bigint;
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const cols = header.split(",");
  return lines.map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}

/**
 * Reads the three CSV files of `dir` and returns every day, in order, keyed by day number.
 * Throws naming the file and row when a difficulty has no matching epoch.
 */
export function loadDays(dir: string = DATA_DIR): Map<number, DayInputs> {
  const bitsByDifficulty = new Map<string, number>();
  for (const e of readCsv(`${dir}/btc_epochs.csv`)) bitsByDifficulty.set(e.difficulty, Number.parseInt(e.bits, 16));
  const price = new Map<string, bigint>();
  for (const p of readCsv(`${dir}/btc_price_usd_daily.csv`)) price.set(p.date, parseDecimal(p.price_usd, 8));
  const out = new Map<number, DayInputs>();
  for (const r of readCsv(`${dir}/btc_difficulty_daily.csv`)) {
    const bits = bitsByDifficulty.get(r.difficulty);
    if (bits === undefined) throw new Error(`btc_difficulty_daily.csv ${r.date}: no epoch with difficulty ${r.difficulty}`);
    const subsidySats = parseDecimal(r.subsidy_btc, 8);
    const day = dayOfDate(r.date);
    out.set(day, {
      day,
      date: r.date,
      bits,
      difficulty: r.difficulty,
      subsidySats,
      feesPerBlockSats: 0n,
      btcUsdE8: price.get(r.date) ?? 0n,
      hashpriceE18: hashpriceE18(bits, subsidySats, 0n),
    });
  }
  return out;
}

/** The days `[from, to]` (ISO dates, inclusive) with a price. Throws when the range leaves the data. */
export function dayRange(days: Map<number, DayInputs>, from: string, to: string): DayInputs[] {
  const a = dayOfDate(from);
  const b = dayOfDate(to);
  if (b < a) throw new Error(`range ${from}..${to} is empty`);
  const out: DayInputs[] = [];
  for (let d = a; d <= b; d++) {
    const x = days.get(d);
    if (!x) throw new Error(`no data for ${new Date(d * 86_400_000).toISOString().slice(0, 10)}`);
    if (x.btcUsdE8 === 0n) throw new Error(`no BTC/USD price for ${x.date}`);
    out.push(x);
  }
  return out;
}
