/**
 * Gas benchmark of the oracle and the settlement on Hardhat's simulator (receipt `gasUsed`, refunds included).
 * Prints one table.
 *
 *   npm run bench:settlement        (= hardhat run scripts/bench-settlement.ts)
 *
 * Setup: the shared fixture (test/helpers/deploy.ts) with 3-of-5 reporters, the real data of 2024 (one daily
 * report per day), series of 100 TH/s × 60 days each fully minted to one holder, farm well funded.
 * "first day of a series" pays the one-time zero → non-zero write of the series' settlement book.
 */
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  createSeries,
  deployAll,
  timelocked,
  deposit,
  goToDay,
  postCollateral,
  seriesTerms,
  signDaily,
  signUptime,
  type UptimeReport,
} from "../test/helpers/deploy.js";
import { dailyReportOf, loadDays } from "../domain/data.js";
import { dayOfDate } from "../domain/units.js";

const DATA = loadDays();
const S = dayOfDate("2024-01-01");
const conn = await network.create({ override: { initialDate: "2023-12-30T00:00:00Z" } });
const f = await deployAll(conn, { reporters: 5, quorum: 3, feedPriceE8: null, coverDays: 1, timelockDelay: 0 });
const farm = f.farm.address;

async function gas(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const rc = await (await tx).wait();
  if (!rc) throw new Error("no receipt");
  return rc.gasUsed;
}

const rows: { op: string; gas: bigint; per?: { n: number; label: string } }[] = [];
const row = (op: string, g: bigint, n?: number, label = "per item") => rows.push({ op, gas: g, per: n ? { n, label } : undefined });

function reportOf(day: number, subsidyFactor = 1n) {
  const x = DATA.get(day)!;
  return { ...dailyReportOf(x), subsidySats: x.subsidySats * subsidyFactor };
}

// ------------------------------------------------------------------ series: 32 of 100 TH/s × 60 days, all minted
await postCollateral(f, 10n ** 10n);
await deposit(f, 10n ** 11n);
const ids: bigint[] = [];
for (let i = 0; i < 32; i++) {
  const id = await createSeries(f, await seriesTerms(f, S, { termDays: 60 }));
  await f.token.connect(f.farm).mint(f.holders[i % 3].address, id, 6_000n, "0x");
  ids.push(id);
}
await goToDay(conn, S + 45);

// ------------------------------------------------------------------ oracle
const first = reportOf(S);
await f.oracle.submitDailyReport(first, await signDaily(f, first)); // first report: no reference day yet
{
  const r = reportOf(S + 1);
  row("submitDailyReport, final (3-of-5 signatures)", await gas(f.oracle.submitDailyReport(r, await signDaily(f, r))));
  const p = reportOf(S + 2, 3n); // 3× the heights' subsidy: pending
  row("submitDailyReport, pending (3-of-5)", await gas(f.oracle.submitDailyReport(p, await signDaily(f, p))));
  row("confirmPending (guardian)", await gas(f.oracle.connect(f.guardian).confirmPending(S + 2)));
  const all = reportOf(S + 3);
  await f.oracle.submitDailyReport(all, await signDaily(f, all));
  const r5 = reportOf(S + 4);
  row("submitDailyReport, final (5-of-5 signatures)", await gas(f.oracle.submitDailyReport(r5, await signDaily(f, r5, f.reporters))));
  for (let d = S + 5; d < S + 40; d++) {
    const r = reportOf(d);
    await f.oracle.submitDailyReport(r, await signDaily(f, r));
  }
}
async function uptimes(days: number[], farms: string[] = [farm]) {
  const reps: UptimeReport[] = days.flatMap((day) => farms.map((fa) => ({ farm: fa, day, uptimeBps: 9_900 })));
  return f.oracle.submitUptimeReports(reps, await Promise.all(reps.map((r) => signUptime(f, r))));
}
row("submitUptimeReports, 1 report (3-of-5)", await gas(uptimes([S])));
{
  const g = await gas(uptimes([S + 1, S + 2, S + 3, S + 4, S + 5, S + 6, S + 7, S + 8, S + 9, S + 10]));
  row("submitUptimeReports, 10 reports", g, 10, "per report");
}
await uptimes(Array.from({ length: 29 }, (_, k) => S + 11 + k));

// ------------------------------------------------------------------ settle
row("settle 1 series-day (first day of the series)", await gas(f.settlement.settle([ids[0]], [S])));
row("settle 1 series-day (later day)", await gas(f.settlement.settle([ids[0]], [S + 1])));
{
  const days = Array.from({ length: 30 }, (_, k) => S + 2 + k);
  const g = await gas(f.settlement.settle(days.map(() => ids[0]), days));
  row("settle 30 series-days in one call (1 series × 30 days)", g, 30, "per series-day");
}
{
  // 30 other series, their first day each (pays the one-time book write)
  const g = await gas(f.settlement.settle(ids.slice(1, 31), ids.slice(1, 31).map(() => S)));
  row("settle 30 series-days in one call (30 series × 1 day, first days)", g, 30, "per series-day");
  const g2 = await gas(f.settlement.settle(ids.slice(1, 31), ids.slice(1, 31).map(() => S + 1)));
  row("settle 30 series-days in one call (30 series × 1 day, later days)", g2, 30, "per series-day");
}

// ------------------------------------------------------------------ deposit with debt repayment
{
  // empty the farm's pools (coverDays 0 frees the collateral), so series 32's first day is all debt
  const id = ids[31];
  await timelocked(conn, f.settlement, f.admin, "setCoverDays", [0]);
  await f.settlement.connect(f.farm).withdrawFunding(f.wbtc, await f.settlement.payoutBalance(farm, f.wbtc), farm);
  await f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, await f.settlement.collateral(farm, f.wbtc), farm);
  await f.wbtc.connect(f.farm).approve(f.settlement, 10n ** 15n);
  row("settle 1 series-day, all of it debt", await gas(f.settlement.settle([id], [S])));
  const debt = await f.settlement.debt(id);
  row("deposit repaying 1 series' debt (partial)", await gas(f.settlement.connect(f.farm).deposit(farm, f.wbtc, debt / 2n)));
  row("deposit repaying the rest + crediting the balance", await gas(f.settlement.connect(f.farm).deposit(farm, f.wbtc, debt)));
  row("deposit without debt", await gas(f.settlement.connect(f.farm).deposit(farm, f.wbtc, 1_000n)));
  row("postCollateral", await gas(f.settlement.connect(f.farm).postCollateral(farm, f.wbtc, 1_000n)));
}

// ------------------------------------------------------------------ print
const w = Math.max(...rows.map((r) => r.op.length));
console.log(`\nGas (solc 0.8.28, optimizer 200 runs, cancun; 3-of-5 reporters; farm with 32 series)\n`);
console.log(`| ${"operation".padEnd(w)} | ${"gas".padStart(10)} | ${"per item".padStart(22)} |`);
console.log(`| ${"-".repeat(w)} | ${"-".repeat(10)} | ${"-".repeat(22)} |`);
for (const r of rows) {
  const per = r.per ? `${(r.gas / BigInt(r.per.n)).toLocaleString("en-US")} ${r.per.label}` : "";
  console.log(`| ${r.op.padEnd(w)} | ${r.gas.toLocaleString("en-US").padStart(10)} | ${per.padStart(22)} |`);
}
