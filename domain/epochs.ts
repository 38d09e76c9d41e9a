/**
 * Difficulty epochs from `btc_epochs.csv` of the data folder: the anchor a `SeriesValuationOracle` needs (the start day and
 * height of the epoch in force on its first recorded day), from which it counts retargets to estimate the next
 * halving. A fact about the Bitcoin chain anyone can check on a block explorer, not a forecast.
 */
import { defaultDataDir, loadDays, readCsv, type DayInputs } from "./data.js";
import { dayOfDate } from "./units.js";

/** The epoch whose `bits` day `day` reports (in force at its end): its start UTC day and first block height. */
export function epochAnchor(
  day: number,
  days: Map<number, DayInputs> = loadDays(),
  dir: string = defaultDataDir(),
): { epochStartDay: number; epochStartHeight: number } {
  const x = days.get(day);
  if (!x) throw new Error(`day ${day} is not in the data`);
  let best: { epochStartDay: number; epochStartHeight: number } | null = null;
  for (const { row } of readCsv(dir, "btc_epochs.csv", ["start_height", "start_time_utc", "bits"])) {
    const start = dayOfDate(row.start_time_utc.slice(0, 10));
    if (Number.parseInt(row.bits, 16) === x.bits && start <= day) best = { epochStartDay: start, epochStartHeight: Number(row.start_height) };
  }
  if (!best) throw new Error(`btc_epochs.csv: no epoch with the bits of day ${day}`);
  return best;
}
