/**
 * Collateral benchmark on Hardhat's simulator, with the real Morpho Blue and real Bitcoin days from data/:
 *  1. gas of the wrapper (wrap, transfer, unwrap, harvest, claim), of the valuation oracle's views (`price()`,
 *     `latestRoundData()`) and of the Morpho collateral adapter (supply, withdraw, sync, claim), plus Morpho's own
 *     borrow and liquidate with this oracle for context;
 *  2. the oracle's price path across the 2024-04-20 halving: one row per day with the day's hashprice, the
 *     trailing 30-day average net yield, the remaining term, the unit value and Morpho's `price()`.
 *
 *   npm run bench:collateral        (= hardhat run scripts/bench-collateral.ts)
 *
 * Series (test/helpers/collateral.ts `deploySeriesMarket`, as in test/defi/morpho.test.ts): 100 TH/s for 365 days
 * from 2024-03-20, 21.5 J/TH, 0.05 USD/kWh, 2 % pool fee, 95 % SLA, 0.001 USD per TH/s·day service fee; uptime
 * 100 %; oracle reports without a feed (the day's BTC/USD is the data's).
 * Gas is the receipt's `gasUsed` (refunds included). Views are measured as `eth_estimateGas` of a call minus the
 * 21,000 intrinsic gas and the calldata gas, i.e. their execution cost inside a transaction.
 */
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { goToDay } from "../test/helpers/deploy.js";
import { deploySeriesMarket, reportDay } from "../test/helpers/collateral.js";
import { loadDays } from "../indexer/domain/data.js";
import { netAtSlaE18 } from "../indexer/domain/valuation.js";
import { dayOfDate, dateOfDay, formatScaled } from "../indexer/domain/units.js";

const conn = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
const { ethers } = conn;
const DATA = loadDays();
const D = dayOfDate;
const START = D("2024-03-20");

const { f, c, terms, id, mk } = await deploySeriesMarket(conn, START);
const { wrapper, oracle, params, marketId } = mk;
const { morpho, adapter, borrower, supplier, liquidator, keeper } = c;
const [alice, bob, carol] = f.holders;

async function gas(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const r = await (await tx).wait();
  if (!r) throw new Error("no receipt");
  return r.gasUsed;
}

/** Execution gas of a view called inside a transaction: estimateGas − 21,000 − calldata gas. */
async function viewGas(to: string, data: string): Promise<bigint> {
  const est = await ethers.provider.estimateGas({ to, data });
  const bytes = ethers.getBytes(data);
  const calldata = bytes.reduce((s, b) => s + (b === 0 ? 4n : 16n), 0n);
  return est - 21_000n - calldata;
}

async function reportAndSettle(day: number) {
  await reportDay(f, DATA.get(day)!, 10_000);
  if (day >= START) await f.settlement.settle([id], [day]);
}

const rows: { op: string; gas: bigint }[] = [];
const row = async (op: string, tx: Promise<ContractTransactionResponse>) => rows.push({ op, gas: await gas(tx) });

// ---------------------------------------------------------------- setup: units, approvals, liquidity
for (const [h, n] of [[borrower, 20_000n], [alice, 5_000n], [bob, 5_000n], [carol, 5_000n]] as const) {
  await f.token.connect(f.farm).mint(h.address, id, n, "0x");
  await f.token.connect(h).setApprovalForAll(wrapper, true);
}
await f.wbtc.mint(supplier.address, 10n ** 8n);
await f.wbtc.connect(supplier).approve(morpho, ethers.MaxUint256);
await morpho.connect(supplier).supply(params, 10n ** 8n, 0n, supplier.address, "0x");

// ---------------------------------------------------------------- wrapper, before any yield
await row("wrap (first wrap of the holder)", wrapper.connect(alice).wrap(2_000n, alice.address));
await row("wrap (holder already wrapped)", wrapper.connect(alice).wrap(1_000n, alice.address));
await wrapper.connect(bob).wrap(3_000n, bob.address);
await row("ERC-20 transfer → new holder", wrapper.connect(alice).transfer(carol.address, 100n));
await row("ERC-20 transfer → existing holder (no yield since)", wrapper.connect(alice).transfer(bob.address, 100n));
await wrapper.connect(borrower).wrap(20_000n, borrower.address);
await wrapper.connect(borrower).approve(adapter, ethers.MaxUint256);
await row("adapter.supplyCollateral (first for the user)", adapter.connect(borrower).supplyCollateral(params, 10_000n, borrower.address));

// ---------------------------------------------------------------- first yield: report and settle 2024-03-15 .. 04-16
await goToDay(conn, D("2024-04-17"), 600);
for (let d = D("2024-03-15"); d <= D("2024-04-16"); d++) await reportAndSettle(d);
await row("harvest (first, pending yield)", wrapper.connect(keeper).harvest());
await row("ERC-20 transfer → existing holder (days settled since, first accrual)", wrapper.connect(alice).transfer(bob.address, 100n));
await row("adapter.supplyCollateral (first harvest of the pool)", adapter.connect(borrower).supplyCollateral(params, 2_000n, borrower.address));
await row("wrapper.claim (first)", wrapper.connect(bob).claim(bob.address));
await morpho.connect(borrower).setAuthorization(adapter, true);
await row("adapter.withdrawCollateral (first)", adapter.connect(borrower).withdrawCollateral(params, 1_000n, borrower.address));
await row("adapter.claim (first)", adapter.connect(borrower).claim(marketId, borrower.address));

// ---------------------------------------------------------------- steady state: one more day settled (2024-04-17)
await goToDay(conn, D("2024-04-18"), 600);
await reportAndSettle(D("2024-04-17"));
await row("harvest (pending yield)", wrapper.connect(keeper).harvest());
await row("harvest (nothing pending)", wrapper.connect(keeper).harvest());
await row("ERC-20 transfer → existing holder (days settled since)", wrapper.connect(alice).transfer(bob.address, 100n));
await row("ERC-20 transfer → existing holder (no yield since)", wrapper.connect(alice).transfer(bob.address, 100n));
await row("unwrap (partial)", wrapper.connect(alice).unwrap(500n, alice.address));
await row("wrapper.claim", wrapper.connect(bob).claim(bob.address));
await row("adapter.supplyCollateral (with harvest)", adapter.connect(borrower).supplyCollateral(params, 2_000n, borrower.address));
await row("adapter.supplyCollateral (nothing to harvest)", adapter.connect(borrower).supplyCollateral(params, 1_000n, borrower.address));
await row("adapter.withdrawCollateral", adapter.connect(borrower).withdrawCollateral(params, 1_000n, borrower.address));
await row("adapter.claim (harvest + sync + pay)", adapter.connect(borrower).claim(marketId, borrower.address));
await row("adapter.sync (nothing changed)", adapter.connect(keeper).sync(marketId, borrower.address));

const viewRows: { op: string; gas: bigint }[] = [];
const oracleAddr = await oracle.getAddress();
viewRows.push({ op: "oracle.price() (30-day window)", gas: await viewGas(oracleAddr, oracle.interface.encodeFunctionData("price")) });
viewRows.push({
  op: "oracle.latestRoundData() (30-day window)",
  gas: await viewGas(oracleAddr, oracle.interface.encodeFunctionData("latestRoundData")),
});
const short = await ethers.deployContract("SeriesValuationOracle", [
  {
    token: f.token, hashpriceOracle: f.oracle, seriesId: id, quote: 0, loanToken: f.wbtc, btcUsdFeed: f.feed,
    feedHeartbeat: 86_400, windowDays: 7, haircutBps: 0, maxAgeDays: 2, halvingDay: 0,
  },
]);
viewRows.push({ op: "oracle.price() (7-day window)", gas: await viewGas(await short.getAddress(), short.interface.encodeFunctionData("price")) });

// Morpho's own operations with this oracle, for context: borrow 99 % of the max on 2024-04-18.
const pos = await morpho.position(marketId, borrower.address);
const v0 = await oracle.valuation();
const maxBorrow = (((pos.collateral * v0.price) / 10n ** 36n) * params.lltv) / 10n ** 18n;
await row("Morpho borrow (calls price())", morpho.connect(borrower).borrow(params, (maxBorrow * 99n) / 100n, 0n, borrower.address, borrower.address));
const ltv0 = (99n * params.lltv) / 100n; // WAD

// ---------------------------------------------------------------- price path across the halving
interface PathRow {
  date: string; hp: bigint; avg: bigint; remaining: bigint; value: bigint; price: bigint; ltv: string; aware: bigint; realized: bigint;
}
// The same series valued with the optional halving awareness (next halving estimated on its real day).
const aware = await ethers.deployContract("SeriesValuationOracle", [
  {
    token: f.token, hashpriceOracle: f.oracle, seriesId: id, quote: 0, loanToken: f.wbtc, btcUsdFeed: f.feed,
    feedHeartbeat: 86_400, windowDays: 30, haircutBps: 0, maxAgeDays: 2, halvingDay: D("2024-04-20"),
  },
]);
/** What a unit went on to earn at SLA uptime over the rest of its term, from the real data (sats × 1e18). */
function realized(latest: number): bigint {
  let sum = 0n;
  for (let d = latest + 1; d < START + 365; d++) {
    const x = DATA.get(d)!;
    sum += netAtSlaE18(terms, x.hashpriceE18, x.btcUsdE8);
  }
  return sum / 365n;
}
const path: PathRow[] = [];
const pushPath = async (day: number) => {
  const v = await oracle.valuation();
  path.push({
    date: dateOfDay(day),
    hp: DATA.get(day)!.hashpriceE18,
    avg: v.avgNetE18,
    remaining: v.remainingDays,
    value: v.unitValueE18,
    price: v.price,
    ltv: `${formatScaled((ltv0 * v0.unitValueE18 * 100n) / v.unitValueE18, 18, 2)} %`,
    aware: (await aware.valuation()).unitValueE18,
    realized: realized(day),
  });
};
await f.wbtc.mint(liquidator.address, 10n ** 8n);
await f.wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
await pushPath(D("2024-04-17"));
let liquidated = "";
for (let d = D("2024-04-18"); d <= D("2024-05-20"); d++) {
  await goToDay(conn, d + 1, 600);
  await reportAndSettle(d);
  await pushPath(d);
  if (!liquidated && !(await isHealthy())) {
    await row("Morpho liquidate (seize 5,000 units)", morpho.connect(liquidator).liquidate(params, borrower.address, 5_000n, 0n, "0x"));
    await row("adapter.sync after liquidation", adapter.connect(keeper).sync(marketId, borrower.address));
    liquidated = dateOfDay(d);
  }
}

async function isHealthy(): Promise<boolean> {
  try {
    await morpho.connect(liquidator).liquidate.staticCall(params, borrower.address, 1n, 0n, "0x");
    return false;
  } catch (e) {
    if (String(e).includes("position is healthy")) return true;
    throw e;
  }
}

// ---------------------------------------------------------------- tables
function table(header: string[], body: string[][], leftCols = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((x, i) => (i < leftCols ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w, i) => (i < leftCols ? ":" : "") + "-".repeat(w + 1) + (i < leftCols ? "" : ":")).join("|") + "|");
  for (const r of body) console.log(line(r));
}
const fmt = (v: bigint) => v.toLocaleString("en-US");

console.log("Gas (receipt gasUsed; views: execution gas inside a transaction)\n");
table(["operation", "gas"], [...rows, ...viewRows].map((r) => [r.op, fmt(r.gas)]));
console.log();
console.log("Price path of one unit (1 TH/s·day) of the series across the 2024-04-20 halving (sats quote, WBTC loan)");
console.log("hashprice: subsidy-only, sats per TH/s·day; avg net: trailing 30-day average at SLA uptime, sats per TH/s·day;");
console.log("price(): Morpho scale, 1e36 × sats per unit; LTV: a loan taken at 99 % of the 77 % LLTV on 2024-04-18, not");
console.log("liquidated, interest ignored (= 76.23 % × value on 04-17 / value of the day). halving-aware: the same oracle with");
console.log("halvingDay = 2024-04-20; realized: what the unit actually went on to earn over the rest of its term (data, SLA uptime).");
console.log();
table(
  ["date", "hashprice", "avg net", "remaining days", "unit value sats", "price()", "LTV", "halving-aware sats", "realized sats"],
  path.map((r) => [
    r.date,
    formatScaled(r.hp, 18, 2),
    formatScaled(r.avg, 18, 2),
    r.remaining.toString(),
    formatScaled(r.value, 18, 3),
    r.price.toString(),
    r.ltv,
    formatScaled(r.aware, 18, 3),
    formatScaled(r.realized, 18, 3),
  ]),
);
console.log();
console.log(`liquidatable after the report of ${liquidated || "— (never)"}; liquidated by Morpho's liquidate then.`);
