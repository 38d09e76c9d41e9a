/**
 * Loads the real Bitcoin data (`../shared/data` beside the repo by default; README.md there gives sources and
 * licences) into one record per UTC day: the header `bits` in force at the end of the day, the subsidy, the
 * day's block heights, the fees per block and the Coin Metrics BTC/USD reference rate.
 *
 * Files (all CSV with a header row, parsed with csv-parse):
 * - `btc_difficulty_daily.csv` `date,difficulty,subsidy_btc`: difficulty and subsidy in force at 23:59:59 UTC;
 * - `btc_epochs.csv` `epoch,start_height,start_time_utc,start_time_source,bits,difficulty`: bits per difficulty;
 * - `btc_fees_daily.csv` `date,fees_btc,blocks[,first_height]` (Coin Metrics `FeeTotNtv`, `BlkCnt`; blocks dated
 *   by median-time-past): fees per block = fees ÷ blocks (FPPS convention), heights = running sum of `blocks`
 *   (genesis, height 0, is not counted by Coin Metrics, so the day's last height = blocks up to that day), or
 *   from the optional `first_height` of the first row (files written by `npm run data`);
 * - `btc_price_usd_daily.csv` `date,price_usd` (Coin Metrics `PriceUSD`).
 *
 * A missing or malformed file throws an error naming the file and line.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { dayOfDate, parseDecimal } from "./units.js";
import { hashpriceE18 } from "./hashprice.js";

/** The repository root (two levels above this file). */
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Environment variable naming the data folder (the CLIs' `--data-dir` wins over it). */
export const DATA_DIR_ENV = "HASHPOWER_DATA_DIR";

/** The data folder: `$HASHPOWER_DATA_DIR` when set, else `../shared/data` relative to the repo root. */
export function defaultDataDir(): string {
  const env = process.env[DATA_DIR_ENV];
  return env ? resolve(env) : resolve(REPO_ROOT, "../shared/data");
}

/** One day's report inputs. */
export interface DayInputs {
  day: number;
  date: string;
  /** compact target in force at 23:59:59 UTC (from btc_epochs.csv, matched on difficulty) */
  bits: number;
  difficulty: string;
  subsidySats: bigint;
  /** first block height of the day (Coin Metrics dating by median-time-past); with `blocks` = 0 the next day's */
  firstHeight: number;
  /** blocks mined that day */
  blocks: number;
  /** total transaction fees of the day, sats */
  feesSats: bigint;
  /** floor(feesSats / blocks), 0 on a day without blocks */
  feesPerBlockSats: bigint;
  /** BTC/USD × 1e8; 0n before 2010-07-18 (no price) */
  btcUsdE8: bigint;
  /** gross hashprice with fees (before pool fee), sats per TH/s·day × 1e18 */
  hashpriceE18: bigint;
}

type Row = Record<string, string>;

/** Reads `file` of `dir`: rows with their 1-based line numbers. Throws naming the file (and line) when missing or malformed. */
export function readCsv(dir: string, file: string, columns: readonly string[]): { row: Row; line: number }[] {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new Error(`data file ${path} not found (the data lives in ../shared/data beside the repo; set --data-dir or ${DATA_DIR_ENV})`);
  }
  let records: { record: Row; info: { lines: number } }[];
  try {
    records = parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true, trim: true, info: true });
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new Error(`${path}${err.lines ? `:${err.lines}` : ""}: malformed CSV: ${err.message}`);
  }
  if (records.length === 0) throw new Error(`${path}: no data rows`);
  for (const c of columns) if (!(c in records[0].record)) throw new Error(`${path}:1: missing column "${c}"`);
  return records.map((r) => ({ row: r.record, line: r.info.lines }));
}

/** Runs `f` on a field; rethrows naming file, line and column. */
function field<T>(dir: string, file: string, line: number, column: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Error(`${join(dir, file)}:${line}: column ${column}: ${(e as Error).message}`);
  }
}

const int = (s: string): number => {
  if (!/^\d+$/.test(s)) throw new Error(`invalid integer "${s}"`);
  return Number(s);
};

/**
 * Reads the four CSV files of `dir` and returns every day of `btc_difficulty_daily.csv`, keyed by day number.
 * Throws naming the file and line on a missing file or column, a malformed value, a gap or duplicate in the
 * dates, a difficulty without an epoch, or a day without a fees row.
 */
export function loadDays(dir: string = defaultDataDir()): Map<number, DayInputs> {
  const bitsByDifficulty = new Map<string, number>();
  const EPOCHS = "btc_epochs.csv";
  for (const { row, line } of readCsv(dir, EPOCHS, ["bits", "difficulty"])) {
    const bits = field(dir, EPOCHS, line, "bits", () => {
      if (!/^0x[0-9a-fA-F]{8}$/.test(row.bits)) throw new Error(`invalid bits "${row.bits}"`);
      return Number.parseInt(row.bits, 16);
    });
    bitsByDifficulty.set(row.difficulty, bits);
  }

  const PRICE = "btc_price_usd_daily.csv";
  const price = new Map<number, bigint>();
  for (const { row, line } of readCsv(dir, PRICE, ["date", "price_usd"])) {
    const day = field(dir, PRICE, line, "date", () => dayOfDate(row.date));
    price.set(day, field(dir, PRICE, line, "price_usd", () => parseDecimal(row.price_usd, 8)));
  }

  // Heights: running sum of blocks over the whole fees file (it starts at the genesis day, 2009-01-03).
  const FEES = "btc_fees_daily.csv";
  const fees = new Map<number, { firstHeight: number; blocks: number; feesSats: bigint }>();
  let height = 0;
  let prevDay: number | undefined;
  for (const { row, line } of readCsv(dir, FEES, ["date", "fees_btc", "blocks"])) {
    const day = field(dir, FEES, line, "date", () => dayOfDate(row.date));
    const firstRow = prevDay === undefined;
    if (!firstRow && day !== prevDay! + 1) throw new Error(`${join(dir, FEES)}:${line}: date ${row.date} does not follow the previous row's day (gap or disorder)`);
    prevDay = day;
    const blocks = field(dir, FEES, line, "blocks", () => int(row.blocks));
    // optional `first_height` (files written by `npm run data` from a later start): anchors the running sum
    if (row.first_height !== undefined && row.first_height !== "") {
      const first = field(dir, FEES, line, "first_height", () => int(row.first_height));
      if (firstRow) height = first - 1;
      else if (first !== height + 1) throw new Error(`${join(dir, FEES)}:${line}: first_height ${first} does not continue the previous row (${height + 1})`);
    }
    const feesSats = field(dir, FEES, line, "fees_btc", () => parseDecimal(row.fees_btc, 8));
    if (blocks === 0 && feesSats !== 0n) throw new Error(`${join(dir, FEES)}:${line}: fees without blocks`);
    fees.set(day, { firstHeight: height + 1, blocks, feesSats });
    height += blocks;
  }

  const DIFF = "btc_difficulty_daily.csv";
  const out = new Map<number, DayInputs>();
  for (const { row, line } of readCsv(dir, DIFF, ["date", "difficulty", "subsidy_btc"])) {
    const day = field(dir, DIFF, line, "date", () => dayOfDate(row.date));
    const bits = bitsByDifficulty.get(row.difficulty);
    if (bits === undefined) throw new Error(`${join(dir, DIFF)}:${line}: no epoch in ${EPOCHS} with difficulty ${row.difficulty}`);
    const subsidySats = field(dir, DIFF, line, "subsidy_btc", () => parseDecimal(row.subsidy_btc, 8));
    const f = fees.get(day);
    if (!f) throw new Error(`${join(dir, DIFF)}:${line}: ${row.date} has no row in ${FEES}`);
    const feesPerBlockSats = f.blocks === 0 ? 0n : f.feesSats / BigInt(f.blocks);
    out.set(day, {
      day,
      date: row.date,
      bits,
      difficulty: row.difficulty,
      subsidySats,
      firstHeight: f.firstHeight,
      blocks: f.blocks,
      feesSats: f.feesSats,
      feesPerBlockSats,
      btcUsdE8: price.get(day) ?? 0n,
      hashpriceE18: hashpriceE18(bits, subsidySats, feesPerBlockSats),
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

/** `DailyReport` as signed and submitted (IHashpriceOracle.DailyReport). */
export interface DailyReport {
  /** UTC day number (unix seconds / 86400) */
  day: number;
  /** height of the day's first block; the day's heights are [firstHeight, firstHeight + blocks) */
  firstHeight: number;
  /** blocks mined that day */
  blocks: number;
  /** compact target of the last block of the day (header `nBits`) */
  bits: number;
  /** block subsidy, sats */
  subsidySats: bigint;
  /** mean transaction fees per block over the day, sats */
  feesPerBlockSats: bigint;
  /** BTC/USD × 1e8; 0n = none (the contract then needs a fresh feed) */
  btcUsdE8: bigint;
}

/** The `DailyReport` of a day (the struct the reporters sign and submit). */
export function dailyReportOf(d: DayInputs): DailyReport {
  const { day, firstHeight, blocks, bits, subsidySats, feesPerBlockSats, btcUsdE8 } = d;
  return { day, firstHeight, blocks, bits, subsidySats, feesPerBlockSats, btcUsdE8 };
}
