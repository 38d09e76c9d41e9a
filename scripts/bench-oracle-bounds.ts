/**
 * How the oracle's input bounds treat real history: every real day with a price (2010-07-18 onwards) is reported,
 * in order, to a real HashpriceOracle on Hardhat's simulator (1-of-1 reporter); a report that lands pending is
 * confirmed by the guardian (as an operator would after checking it), so the next day has its reference. Prints
 * one table per year: days, final, pending, and which bound each pending day broke.
 *
 *   npm run bench:oracle        (= hardhat run scripts/bench-oracle-bounds.ts)
 */
import { network } from "hardhat";
import { dailyReportOf, loadDays } from "../domain/data.js";
import { dateOfDay } from "../domain/units.js";
import { deployOracle, goToDay, submitDaily } from "../test/helpers/deploy.js";

const days = [...loadDays().values()].filter((d) => d.btcUsdE8 > 0n).sort((a, b) => a.day - b.day);
const last = days[days.length - 1];
const conn = await network.create({ override: { initialDate: `${dateOfDay(last.day + 1)}T00:00:00Z` } });
const f = await deployOracle(conn, { reporters: 1, quorum: 1, feedPriceE8: null });
await goToDay(conn, last.day + 1);

const FLAGS = ["subsidy", "bits", "blocks", "fees", "heights"] as const;
const byYear = new Map<string, { days: number; pending: number; flags: number[] }>();
const pendingDays: string[] = [];
const t0 = performance.now();
for (const x of days) {
  const r = dailyReportOf(x);
  const v = Number(await f.oracle.checkReport(r));
  await submitDaily(f, r);
  const y = x.date.slice(0, 4);
  const row = byYear.get(y) ?? { days: 0, pending: 0, flags: FLAGS.map(() => 0) };
  row.days++;
  if (v !== 0) {
    row.pending++;
    FLAGS.forEach((_, i) => (row.flags[i] += v & (1 << i) ? 1 : 0));
    pendingDays.push(`${x.date} (${FLAGS.filter((_, i) => v & (1 << i)).join("+")})`);
    await f.oracle.connect(f.guardian).confirmPending(x.day);
  }
  byYear.set(y, row);
}
const s = (performance.now() - t0) / 1000;
console.log(`real days ${days[0].date} .. ${last.date} through HashpriceOracle's input bounds (${days.length} reports, ${s.toFixed(0)} s)\n`);
console.log(`| year | days | final | pending | ${FLAGS.join(" | ")} |`);
console.log(`|---|---|---|---|${FLAGS.map(() => "---").join("|")}|`);
let total = 0;
let pending = 0;
for (const [y, r] of byYear) {
  total += r.days;
  pending += r.pending;
  console.log(`| ${y} | ${r.days} | ${r.days - r.pending} | ${r.pending} | ${r.flags.join(" | ")} |`);
}
console.log(`| all | ${total} | ${total - pending} | ${pending} | |`);
if (pendingDays.length) console.log(`\npending days: ${pendingDays.slice(0, 60).join(", ")}${pendingDays.length > 60 ? ", …" : ""}`);
