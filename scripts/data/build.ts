/**
 * The data builder: writes the four CSV files of `../shared/data` (same columns, read by
 * `domain/data.ts`) from a Bitcoin Core node, for users with their own node.
 *
 * Dating (documented in the README): every block belongs to the UTC day of its **median-time-past**
 * (`getblockheader.mediantime`), the Coin Metrics convention of the shared data; median-time-past never decreases
 * with height, so a day's blocks are the heights [first(dayStart), first(dayEnd)), found by binary search.
 * Per day: `blocks`, `fees_btc` = Σ `getblockstats.totalfee`, `first_height` (an extra column that anchors the
 * heights when the file does not start at the genesis day), and the `bits` and `subsidy` of the day's last block
 * (carried forward over a day without blocks). Epochs: every retarget height (multiple of 2016) the days touch,
 * with its header time. Prices are copied from a CSV the user names (`date,price_usd`).
 *
 * Resume: rows are appended day by day; a rerun reads what is there, drops a half-written last day (the fees and
 * difficulty files must end on the same date) and continues with the next day.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { difficultyFromBits } from "../../domain/hashprice.js";
import { dateOfDay, dayOfDate, formatScaled, SECONDS_PER_DAY } from "../../domain/units.js";
import type { BitcoinRpc } from "../../cli/reporter/bitcoind.js";

/** Options of `buildData`. */
export interface BuildOptions {
  rpc: BitcoinRpc;
  /** first and last UTC day (ISO dates), inclusive */
  from: string;
  to: string;
  /** output folder (created; existing files are resumed) */
  out: string;
  /** CSV `date,price_usd` to copy the range's prices from */
  prices: string;
  /** confirmations required on the last day's last block (default 6) */
  minConfirmations?: number;
  /** parallel `getblockstats` calls (default 8) */
  concurrency?: number;
  /** called after each day with a progress line */
  onProgress?: (line: string) => void;
}

/** What `buildData` did. */
export interface BuildSummary {
  days: number;
  /** days already in the output (resumed) */
  skipped: number;
  blocks: number;
}

const FILES = {
  difficulty: { name: "btc_difficulty_daily.csv", header: "date,difficulty,subsidy_btc" },
  fees: { name: "btc_fees_daily.csv", header: "date,fees_btc,blocks,first_height" },
  epochs: { name: "btc_epochs.csv", header: "epoch,start_height,start_time_utc,start_time_source,bits,difficulty" },
  price: { name: "btc_price_usd_daily.csv", header: "date,price_usd" },
} as const;

interface Header {
  height: number;
  time: number;
  mediantime: number;
  bits: string;
}

/** Difficulty as the files write it (the join key between the daily and epochs files). */
const difficultyText = (bits: number) => String(difficultyFromBits(bits));

/** Rows of a CSV file we wrote (empty when missing). */
function rows(path: string): Record<string, string>[] {
  if (!existsSync(path)) return [];
  return parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true });
}

/** Builds (or resumes) the data files for [from, to]. Rejects on an RPC error or a day the node has not buried yet. */
export async function buildData(o: BuildOptions): Promise<BuildSummary> {
  const from = dayOfDate(o.from);
  const to = dayOfDate(o.to);
  if (to < from) throw new Error(`--to ${o.to} is before --from ${o.from}`);
  const minConf = o.minConfirmations ?? 6;
  const concurrency = o.concurrency ?? 8;
  mkdirSync(o.out, { recursive: true });
  const path = (f: keyof typeof FILES) => join(o.out, FILES[f].name);

  // prices first: a bad price file fails before any RPC
  const priceRows = (parse(readFileSync(o.prices, "utf8"), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[]);
  if (priceRows.length > 0 && !("price_usd" in priceRows[0] && "date" in priceRows[0])) throw new Error(`${o.prices}: expected columns date,price_usd`);
  const inRange = priceRows.filter((r) => r.date >= o.from && r.date <= o.to);
  writeFileSync(path("price"), [FILES.price.header, ...inRange.map((r) => `${r.date},${r.price_usd}`)].join("\n") + "\n");

  // resume: keep the days both daily files have, in order from --from
  const fees = rows(path("fees"));
  const diff = rows(path("difficulty"));
  const done = Math.min(fees.length, diff.length);
  if (done > 0 && fees[0].date !== o.from) throw new Error(`${path("fees")} starts on ${fees[0].date}, not --from ${o.from}: use another --out`);
  const keep = (f: "fees" | "difficulty", list: Record<string, string>[]) =>
    writeFileSync(path(f), [FILES[f].header, ...list.slice(0, done).map((r) => FILES[f].header.split(",").map((c) => r[c]).join(","))].join("\n") + "\n");
  keep("fees", fees);
  keep("difficulty", diff);
  const epochs = rows(path("epochs"));
  const epochHeights = new Set(epochs.map((e) => Number(e.start_height)));
  if (epochs.length === 0) writeFileSync(path("epochs"), FILES.epochs.header + "\n");

  const headers = new Map<number, Header>();
  const header = async (h: number): Promise<Header> => {
    let x = headers.get(h);
    if (!x) {
      const hash = await o.rpc.call<string>("getblockhash", [h]);
      x = await o.rpc.call<Header>("getblockheader", [hash, true]);
      if (x.height !== h) throw new Error(`bitcoind: getblockheader(${hash}) returned height ${x.height}, expected ${h}`);
      headers.set(h, x);
    }
    return x;
  };
  const { blocks: tip } = await o.rpc.call<{ blocks: number }>("getblockchaininfo");
  /** Lowest height whose median-time-past is ≥ t (tip + 1 when none). */
  const firstAtOrAfter = async (t: number): Promise<number> => {
    let lo = 0;
    let hi = tip + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await header(mid)).mediantime >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const summary: BuildSummary = { days: to - from + 1, skipped: done, blocks: 0 };
  const t0 = performance.now();
  let first = await firstAtOrAfter(Number(BigInt(from + done) * SECONDS_PER_DAY));
  for (let day = from + done; day <= to; day++) {
    const date = dateOfDay(day);
    const end = await firstAtOrAfter(Number(BigInt(day + 1) * SECONDS_PER_DAY));
    // the day's last block (end − 1) needs minConf confirmations: tip − (end − 1) + 1 ≥ minConf
    if (end > tip - minConf + 2) throw new Error(`bitcoind: ${date} is not buried under ${minConf} blocks yet (tip ${tip})`);
    let total = 0n;
    for (let h = first; h < end; h += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, end - h) }, (_, i) => h + i);
      const stats = await Promise.all(batch.map((x) => o.rpc.call<{ totalfee: number }>("getblockstats", [x, ["totalfee"]])));
      for (const s of stats) total += BigInt(s.totalfee);
    }
    // bits and subsidy of the day's last block (the block before the day when it has none)
    const last = Math.max(0, end - 1);
    const lastHeader = await header(last);
    const { subsidy } = await o.rpc.call<{ subsidy: number }>("getblockstats", [last, ["subsidy"]]);
    const bits = Number.parseInt(lastHeader.bits, 16);
    // epochs: every retarget height in [first, end), and the epoch in force at the range's start
    const starts = new Set<number>();
    starts.add(Math.floor(last / 2016) * 2016); // the epoch of the day's bits (listed once)
    for (let r = Math.ceil(first / 2016) * 2016; r < end; r += 2016) starts.add(r);
    for (const r of [...starts].filter((x) => !epochHeights.has(x)).sort((a, b) => a - b)) {
      const h = await header(r);
      const b = Number.parseInt(h.bits, 16);
      const t = new Date(h.time * 1000).toISOString().replace("T", " ").slice(0, 19);
      appendFileSync(path("epochs"), `${r / 2016},${r},${t},bitcoind_header,0x${h.bits},${difficultyText(b)}\n`);
      epochHeights.add(r);
    }
    appendFileSync(path("fees"), `${date},${formatScaled(total, 8, 8)},${end - first},${first}\n`);
    appendFileSync(path("difficulty"), `${date},${difficultyText(bits)},${formatScaled(BigInt(subsidy), 8, 8)}\n`);
    summary.blocks += end - first;
    const n = day - (from + done) + 1;
    const rate = n / ((performance.now() - t0) / 1000);
    o.onProgress?.(
      `${date}  ${String(end - first).padStart(3)} blocks  fees ${formatScaled(total, 8, 4)} BTC  [${day - from + 1}/${to - from + 1}]  ` +
        `${rate.toFixed(2)} days/s  ETA ${Math.round((to - day) / rate)} s`,
    );
    first = end;
  }
  return summary;
}
