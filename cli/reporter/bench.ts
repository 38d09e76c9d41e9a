/**
 * Reporter benchmark: reports a year of real data (CSV, 2024) with uptime for several farms to a HashpriceOracle
 * on Hardhat's in-process simulator, then reruns over the same range (all on chain: resume scan only).
 * Prints a table: throughput, gas per daily report and per uptime batch.
 *
 *   npx hardhat run cli/reporter/bench.ts            (BENCH_DAYS=365 BENCH_FARMS=5 BENCH_REPORTERS=3)
 */
import { pino } from "pino";
import { type Address, getAddress } from "viem";
import { dayOfDate } from "../../domain/units.js";
import { recordingLogger, reporterKeys, startChain } from "../../test/reporter/chain.js";
import { createReporter } from "./reporter.js";
import { CsvSource } from "./sources.js";

const days = Number(process.env.BENCH_DAYS ?? 365);
const nFarms = Number(process.env.BENCH_FARMS ?? 5);
const nReporters = Number(process.env.BENCH_REPORTERS ?? 3);
const quorum = Math.floor(nReporters / 2) + 1;

const c = await startChain();
const { accounts } = reporterKeys(nReporters);
const oracle = await c.deployOracle(accounts, quorum);
const farms: Address[] = Array.from({ length: nFarms }, (_, i) => getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`));
const rec = recordingLogger();
const ctx = {
  publicClient: c.publicClient,
  walletClient: c.submitter,
  oracle,
  reporters: accounts,
  daily: new CsvSource(),
  uptime: { uptime: async () => farms.map((farm, i) => ({ farm, uptimeBps: 9_000 + i })) },
  logger: rec.logger,
  progressEvery: 1_000_000,
};
const from = dayOfDate("2024-01-01");
const to = from + days - 1;

let t = performance.now();
const first = await createReporter(ctx).run({ from, to });
const firstS = (performance.now() - t) / 1000;
t = performance.now();
const again = await createReporter({ ...ctx, logger: pino({ level: "silent" }) }).run({ from, to });
const againS = (performance.now() - t) / 1000;

const mined = rec.lines.filter((l) => l.msg === "mined");
const gas = (kind: string) => {
  const g = mined.filter((l) => l.kind === kind).map((l) => l.gasUsed as number);
  return Math.round(g.reduce((a, b) => a + b, 0) / g.length);
};
console.log(`\nreporter benchmark: ${days} days (2024, CSV), ${nReporters} reporters / quorum ${quorum}, ${nFarms} farms, in-process simulator\n`);
console.table([
  { run: "first (report everything)", days, txs: first.txs, seconds: +firstS.toFixed(2), "days/s": +(days / firstS).toFixed(1) },
  { run: "rerun (all on chain: resume scan)", days, txs: again.txs, seconds: +againS.toFixed(2), "days/s": +(days / againS).toFixed(1) },
]);
console.table([
  { tx: `submitDailyReport (${nReporters} signatures)`, "mean gas": gas("daily") },
  { tx: `submitUptimeReports (${nFarms} farms × ${nReporters} signatures)`, "mean gas": gas("uptime"), "gas per farm": Math.round(gas("uptime") / nFarms) },
]);
