/**
 * Difficulty epochs from `data/btc_epochs.csv`: the anchor a `SeriesValuationOracle` needs (the start day and
 * height of the epoch in force on its first recorded day), from which it counts retargets to estimate the next
 * halving. A fact about the Bitcoin chain anyone can check on a block explorer, not a forecast.
 */
import { readFileSync } from "node:fs";
import { DATA_DIR, loadDays, type DayInputs } from "./data.js";
import { dayOfDate } from "./units.js";

/** The epoch whose `bits` day `day` reports (in force at its end): its start UTC day and first block height. */
export function epochAnchor(
  day: number,
  days: Map<number, DayInputs> = loadDays(),
  dir: string = DATA_DIR,
): { epochStartDay: number; epochStartHeight: number } {
  const x = days.get(day);
  if (!x) throw new Error(`day ${day} is not in the data`);
  const rows = readFileSync(`${dir}/btc_epochs.csv`, "utf8").trim().split(/\r?\n/).slice(1);
  let best: { epochStartDay: number; epochStartHeight: number } | null = null;
  for (const l of rows) {
    const [, height, time, , bits] = l.split(",");
    const start = dayOfDate(time.slice(0, 10));
    if (Number.parseInt(bits, 16) === x.bits && start <= day) best = { epochStartDay: start, epochStartHeight: Number(height) };
  }
  if (!best) throw new Error(`btc_epochs.csv: no epoch with the bits of day ${day}`);
  return best;
}
