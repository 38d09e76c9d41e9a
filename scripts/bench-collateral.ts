/**
 * Collateral benchmark on Hardhat's simulator, with the real Morpho Blue and real Bitcoin days from ../shared/data:
 *  1. gas of the accumulating share (wrap, share transfer, unwrap, harvest), of the valuation oracle's views
 *     (`price()`, `latestRoundData()`), plus Morpho's own supplyCollateral, withdrawCollateral, borrow and liquidate
 *     with this oracle for context;
 *  2. the halving valuation table: each day from 2024-03-20 to 2024-05-31, the oracle's unit value against what a
 *     unit actually earned over its remaining term (data), and the ratio (bound: 1.25× either way).
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
import { deploySeriesMarket, epochAnchor, reportDay } from "../test/helpers/collateral.js";
import { loadDays } from "../domain/data.js";
import { type OracleConfig, netAtSlaE18, newRecorder, recordDay } from "../domain/valuation.js";
import { dayOfDate, dateOfDay, formatScaled } from "../domain/units.js";

const conn = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
const { ethers } = conn;
const DATA = loadDays();
const D = dayOfDate;
const START = D("2024-03-20");

const { f, c, terms, id, mk } = await deploySeriesMarket(conn, START);
const { wrapper, oracle, params, marketId } = mk;
const { morpho, borrower, supplier, liquidator, keeper } = c;
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
  await reportDay(f, DATA.get(day)!, 10_000, [oracle, ...extraOracles]);
  if (day >= START) await f.settlement.settle([id], [day]);
}

const rows: { op: string; gas: bigint }[] = [];
/** oracles poked with the market's (a 366-day window one, for the gas of price() whatever the window) */
const extraOracles: { poke(n: number): Promise<unknown> }[] = [];
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
await wrapper.connect(borrower).approve(morpho, ethers.MaxUint256);
await row("Morpho supplyCollateral (first for the user)", morpho.connect(borrower).supplyCollateral(params, 10_000n, borrower.address, "0x"));

// ---------------------------------------------------------------- first yield: report and settle 2024-03-15 .. 04-16
await goToDay(conn, D("2024-04-17"), 600);
for (let d = D("2024-03-15"); d <= D("2024-04-16"); d++) await reportAndSettle(d);
await row("harvest (first, pending yield)", wrapper.connect(keeper).harvest());
await row("ERC-20 transfer → existing holder (days settled since, first accrual)", wrapper.connect(alice).transfer(bob.address, 100n));
await f.wbtc.mint(carol.address, 10n ** 8n);
await f.wbtc.connect(carol).approve(wrapper, ethers.MaxUint256);
await row("wrap (index > 0: pays the index in)", wrapper.connect(carol).wrap(1_000n, carol.address));
await row("Morpho withdrawCollateral", morpho.connect(borrower).withdrawCollateral(params, 1_000n, borrower.address, borrower.address));

// ---------------------------------------------------------------- steady state: one more day settled (2024-04-17)
await goToDay(conn, D("2024-04-18"), 600);
await reportAndSettle(D("2024-04-17"));
await row("harvest (pending yield)", wrapper.connect(keeper).harvest());
await row("harvest (nothing pending)", wrapper.connect(keeper).harvest());
await row("ERC-20 transfer → existing holder (days settled since)", wrapper.connect(alice).transfer(bob.address, 100n));
await row("ERC-20 transfer → existing holder (no yield since)", wrapper.connect(alice).transfer(bob.address, 100n));
await row("unwrap 500 shares", wrapper.connect(alice).unwrap(500n, alice.address));
await row("unwrap 3,000 shares", wrapper.connect(bob).unwrap(3_000n, bob.address));
await row("Morpho supplyCollateral", morpho.connect(borrower).supplyCollateral(params, 1_000n, borrower.address, "0x"));

// ---------------------------------------------------------------- oracle views, any window
const wide = await ethers.deployContract("SeriesValuationOracle", [
  {
    wrapper, hashpriceOracle: f.oracle, loanToken: f.wbtc, windowDays: 366, haircutBps: 0, maxAgeDays: 2, graceDays: 3, decayDays: 7,
    maxGrowthBpsPerDay: 100, feeCapBps: 1_000, hashpriceDriftBpsPerYear: 2_000, firstDay: START - 4, ...epochAnchor(START - 4),
  },
]);
await row("oracle.poke: record 29 days at once (366-day window oracle)", wide.poke(400));
extraOracles.push(wide);
await goToDay(conn, D("2024-04-19"), 600);
await reportAndSettle(D("2024-04-18"));
const viewRows: { op: string; gas: bigint }[] = [];
for (const [name, o] of [["30-day window", oracle], ["366-day window", wide]] as const) {
  const a = await o.getAddress();
  viewRows.push({ op: `oracle.price() (${name})`, gas: await viewGas(a, o.interface.encodeFunctionData("price")) });
  viewRows.push({ op: `oracle.latestRoundData() (${name})`, gas: await viewGas(a, o.interface.encodeFunctionData("latestRoundData")) });
}
const snap = await conn.networkHelpers.takeSnapshot();
await goToDay(conn, D("2024-04-19") + 4, 600);
viewRows.push({ op: "oracle.price() (stale, grace)", gas: await viewGas(await oracle.getAddress(), oracle.interface.encodeFunctionData("price")) });
await goToDay(conn, D("2024-04-19") + 6, 600);
viewRows.push({ op: "oracle.price() (stale, decaying)", gas: await viewGas(await oracle.getAddress(), oracle.interface.encodeFunctionData("price")) });
await snap.restore();

// Morpho's own operations with this oracle, for context: borrow 99.9 % of the max (latest recorded day 04-18).
await goToDay(conn, D("2024-04-20"), 600);
await reportAndSettle(D("2024-04-19"));
const pos = await morpho.position(marketId, borrower.address);
const v0 = await oracle.valuation();
const maxBorrow = (((pos.collateral * v0.price) / 10n ** 36n) * params.lltv) / 10n ** 18n;
await row("Morpho borrow (calls price())", morpho.connect(borrower).borrow(params, (maxBorrow * 999n) / 1000n, 0n, borrower.address, borrower.address));

// ---------------------------------------------------------------- across the halving: liquidation
await f.wbtc.mint(liquidator.address, 10n ** 8n);
await f.wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
let liquidated = "";
for (let d = D("2024-04-20"); d <= D("2024-05-10") && !liquidated; d++) {
  await goToDay(conn, d + 1, 600);
  await reportAndSettle(d);
  if (!(await isHealthy())) {
    await row("Morpho liquidate (seize 5,000 shares)", morpho.connect(liquidator).liquidate(params, borrower.address, 5_000n, 0n, "0x"));
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

// ---------------------------------------------------------------- halving valuation table (model = contract)
interface TableRow { date: string; halving: string; value: bigint; realized: bigint }
const cfg: OracleConfig = {
  terms: { ...terms, startDay: Number(terms.startDay), termDays: Number(terms.termDays) } as never, loanDecimals: 8, windowDays: 30,
  haircutBps: 0, maxAgeDays: 2, graceDays: 3, decayDays: 7, maxGrowthBpsPerDay: 100, feeCapBps: 1_000, hashpriceDriftBpsPerYear: 2_000,
  firstDay: START - 4, ...epochAnchor(START - 4),
};
const st = newRecorder(cfg);
const table125: TableRow[] = [];
const end = Number(terms.startDay) + Number(terms.termDays);
for (let d = cfg.firstDay; d <= D("2024-05-30"); d++) {
  const x = recordDay(cfg, st, d, DATA.get(d)!);
  if (d + 1 < START) continue;
  let real = 0n;
  for (let k = Math.max(d + 1, START); k < end; k++) real += netAtSlaE18(terms as never, DATA.get(k)!.hashpriceE18, DATA.get(k)!.btcUsdE8);
  table125.push({ date: dateOfDay(d + 1), halving: dateOfDay(x.halvingDay), value: x.unitValueE18, realized: real / BigInt(terms.termDays) });
}
// the contract recorded the same values for the days it saw
for (let d = START - 4; d <= D("2024-04-19"); d++) {
  const [onChain] = await oracle.recordedValue(d);
  if (onChain !== st.sums.get(d)!.unit) throw new Error(`model ≠ contract on ${dateOfDay(d)}`);
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
console.log(`liquidatable after the report of ${liquidated || "— (never)"}; liquidated by Morpho's liquidate then.`);
console.log();
console.log("Unit value (the oracle's recorded unit value, = the model) vs what a unit actually earned over the rest of its");
console.log("term (data, SLA uptime), 100 TH/s × 365 days from 2024-03-20; halving: the oracle's estimate that day.");
console.log();
let worst = 1;
table(
  ["valued on", "halving est.", "unit value sats", "realized sats", "ratio"],
  table125.map((r) => {
    const ratio = Number(r.value) / Number(r.realized);
    worst = Math.max(worst, ratio, 1 / ratio);
    return [r.date, r.halving, formatScaled(r.value, 18, 3), formatScaled(r.realized, 18, 3), ratio.toFixed(3)];
  }),
);
console.log(`\nworst ratio (either way): ${worst.toFixed(3)} (bound 1.25)`);

// ---------------------------------------------------------------- attack outcomes (a fresh chain)
{
  const conn2 = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
  const e = conn2.ethers;
  const { f: f2, c: c2, id: id2, mk: mk2 } = await deploySeriesMarket(conn2, START);
  const [a2, , carol2] = f2.holders;
  for (const [h, n] of [[c2.borrower, 10_000n], [carol2, 5_000n], [a2, 5_000n]] as const) await f2.token.connect(f2.farm).mint(h.address, id2, n, "0x");
  for (const [h, n] of [[c2.borrower, 10_000n], [carol2, 5_000n]] as const) {
    await f2.token.connect(h).setApprovalForAll(mk2.wrapper, true);
    await mk2.wrapper.connect(h).wrap(n, h.address);
    await mk2.wrapper.connect(h).approve(c2.morpho, n);
    await c2.morpho.connect(h).supplyCollateral(mk2.params, n, h.address, "0x");
  }
  const lender = await e.deployContract("RawUnitFlashLender", [f2.token]);
  await f2.token.connect(a2).safeTransferFrom(a2.address, lender, id2, 2_000n, "0x");
  const attacker = await e.deployContract("FlashSettleAttacker", [f2.token, f2.settlement, f2.wbtc]);
  await f2.wbtc.mint(await attacker.getAddress(), 10n ** 6n);
  await attacker.start();
  await goToDay(conn2, D("2024-04-20"), 600);
  for (let d = START - 4; d <= D("2024-04-19"); d++) {
    await reportDay(f2, DATA.get(d)!, 10_000, [mk2.oracle]);
    if (d >= START && d <= D("2024-04-17")) await f2.settlement.settle([id2], [d]);
  }
  const days = [D("2024-04-18"), D("2024-04-19")];
  const morphoAddr = await c2.morpho.getAddress();
  const state = async () => ({
    acc: await f2.token.accPerUnitE36(id2),
    b: await mk2.wrapper.previewUnwrap((await c2.morpho.position(mk2.marketId, c2.borrower.address)).collateral),
    c: await mk2.wrapper.previewUnwrap((await c2.morpho.position(mk2.marketId, carol2.address)).collateral),
    l: await f2.token.claimable(await lender.getAddress(), id2),
  });
  const out: string[][] = [];
  const scenario = async (name: string, attack: () => Promise<unknown>) => {
    const snap = await conn2.networkHelpers.takeSnapshot();
    const s0 = await state();
    let outcome = "settled inside the loan";
    try {
      await attack();
    } catch (err) {
      outcome = `reverted ${String((err as Error).message).match(/SeriesMovedInTransaction\([^)]*\)/)?.[0] ?? String(err).slice(0, 60)}`;
      await f2.settlement.connect(c2.keeper).settle([id2, id2], days); // the keeper's own settle, moving nothing
      outcome += "; keeper settled";
    }
    const s1 = await state();
    const per = s1.acc - s0.acc;
    out.push([
      name, outcome, String(await attacker.gained(id2)),
      `${s1.b - s0.b} / ${(10_000n * per) / 10n ** 36n}`, `${s1.c - s0.c} / ${(5_000n * per) / 10n ** 36n}`, `${s1.l - s0.l} / ${(2_000n * per) / 10n ** 36n}`,
    ]);
    await snap.restore();
  };
  const held = await mk2.wrapper.balanceOf(morphoAddr);
  await scenario(`Morpho flashLoan of all ${held} shares around settle`, () => attacker.attackMorpho(morphoAddr, mk2.wrapper, [id2, id2], days, false));
  await scenario("same, shares unwrapped to raw units inside the loan", () => attacker.attackMorpho(morphoAddr, mk2.wrapper, [id2, id2], days, true));
  await scenario("raw ERC-1155 flash lender (2,000 units) around settle", () => attacker.attackRaw(lender, id2, 2_000n, days));
  console.log("\nAttacks around Settlement.settle of 2024-04-18 and 04-19 (Morpho Blue's own flashLoan; credited / owed =");
  console.log("floor(units × Δaccumulator), sats; borrower: 10,000 shares in Morpho, carol: 5,000, lender: 2,000 raw units)\n");
  table(["attack", "outcome", "attacker gained sats", "borrower credited / owed", "carol credited / owed", "raw lender credited / owed"], out);
}
