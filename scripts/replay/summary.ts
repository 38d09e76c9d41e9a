/**
 * The replay's summary: what each series paid, its yield per unit against the formula recomputed from the data
 * file (domain: hashprice from the CSV's bits and subsidy, the settlement formula, the token's
 * accumulator), what collateral paid, and whether the indexer's GraphQL totals equal the contracts' state.
 */
import { distribute, type SeriesAcc } from "../../domain/accumulator.js";
import { owedForDay, perThDay } from "../../domain/settlement.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { dateOfDay, formatRounded, formatScaled } from "../../domain/units.js";
import { uptimeBps, type Plan } from "./actors.js";
import type { LiveIndexer } from "./indexer.js";
import { position } from "./lending.js";
import type { World } from "./market.js";

/** One series in the summary. Amounts in sats; per-unit values in sats × 1e18 (`E18`) or × 1e36 (`E36`). */
export interface SeriesSummary {
  id: bigint;
  label: string;
  farm: string;
  hashrateThs: bigint;
  startDay: number;
  termDays: number;
  supply: bigint;
  settledDays: number;
  distributed: bigint;
  claimed: bigint;
  /** Σ claimable over the holders, from the contract */
  unclaimed: bigint;
  compensation: bigint;
  fromCollateral: bigint;
  debt: bigint;
  /** the token's accumulator: sats credited per unit since issuance, × 1e36 */
  accChainE36: bigint;
  /** the same, recomputed from the data file with domain (formula, floors and accumulator) */
  accModelE36: bigint;
  /** the formula's per-unit yield before any rounding: Σ net / termDays, × 1e18 */
  netPerUnitE18: bigint;
  /** gross per unit (after the pool fee, before downtime, electricity and service): Σ hashprice · (1 − pool fee) / termDays, × 1e18 */
  grossPerUnitE18: bigint;
  /** the same with the subsidy-only hashprice (fees per block = 0), × 1e18 */
  grossNoFeesPerUnitE18: bigint;
}

/** One comparison of the summary. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Everything the summary reports. */
export interface Summary {
  series: SeriesSummary[];
  farms: { name: string; collateralPosted: bigint; collateralWithdrawn: bigint; collateralLeft: bigint; slashed: bigint; compensation: bigint; shortfallFromCollateral: bigint; deposited: bigint; debt: bigint }[];
  underfund: { farm: string; day: number; needed: bigint; deposited: bigint; collateralPaid: bigint } | null;
  debtPath: {
    farm: string; stopDay: number; withdrawn: bigint; exhaustedDay: number | null; debtDays: number[]; debtBefore: bigint;
    repayDay: number | null; repaid: bigint; reposted: bigint; repaidEvents: bigint; debtLeft: bigint;
  } | null;
  holders: { address: string; id: bigint; balance: bigint; claimable: bigint; claimed: bigint; graph: { balance: bigint; claimable: bigint; claimed: bigint } }[];
  indexer: { url: string; block: number; lagBlocks: number } | null;
  loan: LoanSummary | null;
  checks: Check[];
}

/** The Morpho loan of one holder. Units in wrapped series units; amounts in sats. */
export interface LoanSummary {
  seriesId: bigint;
  borrower: string;
  halvingDay: number;
  supplied: bigint;
  borrowed: bigint;
  /** sats the borrower's collateral shares carry at the end: floor(collateral × index / 1e36) */
  yieldInShares: bigint;
  repaid: bigint;
  /** the flash-loan-around-settlement attempt (see lending.ts `flashAroundSettle`) */
  flash: { day: number; shares: bigint; gainedSats: bigint; borrowerCreditedSats: bigint; borrowerOwedSats: bigint } | null;
  leveredUp: { day: number; ltvBps: bigint } | null;
  collateralLeft: bigint;
  debtLeft: bigint;
  ltvBps: bigint;
  maxLtvBps: bigint;
  healthy: boolean;
  liquidations: { day: number; seized: bigint; repaidByLiquidator: bigint; ltvBps: bigint }[];
  /** the borrower's position in the series as the GraphQL API reports it (owner view), null without an indexer */
  graph: BorrowerView | null;
}

/** The borrower's `account.positions` entry of the collateral series (amounts as GraphQL's decimal strings). */
export interface BorrowerView {
  direct: string;
  wrapped: string;
  totalUnits: string;
  totalClaimableSats: string;
  /** Morpho's collateral (shares), the sats they carry, debt, LTV, LLTV, health */
  collateral: string;
  collateralYieldSats: string;
  borrowedAssets: string;
  ltvBps: number | null;
  lltvBps: number;
  healthy: boolean | null;
  healthFactor: string | null;
  liquidationPriceSats: string | null;
  /** the valuation the market uses (its oracle), per share */
  lending: { freshness: string | null; latestDay: number | null; shareValueE18: string | null; priceE36: string | null; valueLoanAssets: string | null } | null;
}

/** GraphQL owner view of an account: direct, wrapped and collateral units per series. */
const OWNER_VIEW = `query($a: String!) { account(address: $a) { positions { seriesId balance totalUnits totalClaimableSats
  wrapped { balance }
  collateral { marketId collateral claimableSats borrowedAssets ltvBps lltvBps healthy healthFactor liquidationPriceSats
    lendingValuation { freshness latestDay shareValueE18 priceE36 valueLoanAssets } } } } }`;

/**
 * Per-unit accumulator of planned series `k` recomputed from the data file over its days up to `lastDay`, with
 * the unrounded per-unit net and gross: for each day, the hashprice from the CSV's bits and subsidy, the plan's
 * uptime and the CSV's BTC/USD go through the settlement formula; the owed sats are distributed over `supply`.
 */
export function modelSeries(
  w: World,
  k: number,
  supply: bigint,
  lastDay: number,
  debt: SeriesDebtEvents = { added: new Map(), repaidBefore: new Map() },
): { accE36: bigint; netE18: bigint; grossE18: bigint; grossNoFeesE18: bigint } {
  const s = w.plan.series[k];
  const end = Math.min(s.startDay + s.terms.termDays - 1, lastDay);
  const acc: SeriesAcc = { supply, accPerUnitE36: 0n, carryE36: 0n };
  let net = 0n;
  let gross = 0n;
  let grossNoFees = 0n;
  for (let d = s.startDay; d <= end; d++) {
    const x = w.data.get(d)!;
    const up = uptimeBps(w.plan, s.farm, d);
    const p = perThDay(s.terms, x.hashpriceE18, up, x.btcUsdE8);
    const repaid = debt.repaidBefore.get(d) ?? 0n;
    if (repaid > 0n) distribute(acc, repaid);
    distribute(acc, owedForDay(s.terms, p, supply).owed - (debt.added.get(d) ?? 0n));
    net += p.netE18;
    gross += p.grossE18;
    grossNoFees += perThDay(s.terms, hashpriceE18(x.bits, x.subsidySats, 0n), up, x.btcUsdE8).grossE18;
  }
  for (const [d, repaid] of debt.repaidBefore) if (d > end) distribute(acc, repaid); // repaid after the last settled day
  const t = BigInt(s.terms.termDays);
  return { accE36: acc.accPerUnitE36, netE18: net / t, grossE18: gross / t, grossNoFeesE18: grossNoFees / t };
}

/** A series' debt as the chain recorded it: debt added per settled day, repayments by the day settled after them. */
export interface SeriesDebtEvents {
  added: Map<number, bigint>;
  repaidBefore: Map<number, bigint>;
}

const eq = (name: string, a: bigint | number | string, b: bigint | number | string, detail = ""): Check => ({
  name,
  ok: a === b,
  detail: a === b ? `${a}${detail ? " " + detail : ""}` : `${a} ≠ ${b}${detail ? " " + detail : ""}`,
});

/** Reads the chain (and the indexer's GraphQL, once it has caught up) and builds the summary of the days up to `lastDay`. */
export async function buildSummary(w: World, idx: LiveIndexer | null, lastDay: number): Promise<Summary> {
  const { token, settlement, wbtc } = w.sys;
  const asset = await wbtc.getAddress();
  const from = w.sys.fromBlock;
  const settled = await settlement.queryFilter(settlement.filters.Settled(), from);
  const claimedEv = await token.queryFilter(token.filters.Claimed(), from);
  const repaidEv = await settlement.queryFilter(settlement.filters.DebtRepaid(), from);
  const checks: Check[] = [];
  // every token holder: the replay's holders, and the series wrapper holding the units lent against in Morpho
  const accounts: { address: string }[] = [...w.holders];
  if (w.lending) accounts.push({ address: await w.lending.wrapper.getAddress() });

  const claimedBy = new Map<string, bigint>();
  const claimedOf = new Map<bigint, bigint>(); // per series: the token does not store it, its Claimed events sum it
  for (const e of claimedEv) {
    const key = `${e.args.holder.toLowerCase()}:${e.args.id}`;
    claimedBy.set(key, (claimedBy.get(key) ?? 0n) + e.args.amount);
    claimedOf.set(e.args.id, (claimedOf.get(e.args.id) ?? 0n) + e.args.amount);
  }

  let graphSeries = new Map<string, any>();
  if (idx) {
    const d = await idx.query(`{ seriesList(first: 100) { items { id supply distributedSats claimedSats accPerUnitE36 debtSats daysDistributed } } }`);
    graphSeries = new Map(d.seriesList.items.map((x: any) => [x.id, x]));
  }

  const series: SeriesSummary[] = [];
  for (const [k, s] of w.plan.series.entries()) {
    const id = w.ids[k];
    if (id === undefined) continue;
    const st = await token.seriesState(id);
    const ev = settled.filter((e) => e.args.id === id);
    // debt the chain recorded (the debt path): the model distributes what was paid, and repayments when they came
    const debtEv: SeriesDebtEvents = { added: new Map(), repaidBefore: new Map() };
    for (const e of ev) if (e.args.b.debtAdded > 0n) debtEv.added.set(Number(e.args.day), e.args.b.debtAdded);
    for (const r of repaidEv.filter((e) => e.args.id === id)) {
      const next = ev.find((e) => e.blockNumber > r.blockNumber);
      const d = next ? Number(next.args.day) : lastDay + 1;
      debtEv.repaidBefore.set(d, (debtEv.repaidBefore.get(d) ?? 0n) + r.args.amount);
    }
    const model = modelSeries(w, k, st.supply, lastDay, debtEv);
    const dueDays = Math.max(0, Math.min(s.startDay + s.terms.termDays - 1, lastDay) - s.startDay + 1);
    let unclaimed = 0n;
    for (const a of accounts) unclaimed += await token.claimable(a.address, id);
    const sum = (f: (b: any) => bigint) => ev.reduce((a, e) => a + f(e.args.b), 0n);
    const x: SeriesSummary = {
      id, label: s.label, farm: w.plan.farms[s.farm].name, hashrateThs: s.hashrateThs, startDay: s.startDay, termDays: s.terms.termDays,
      supply: st.supply, settledDays: ev.length, distributed: st.distributed, claimed: claimedOf.get(id) ?? 0n, unclaimed,
      compensation: sum((b) => b.compensation), fromCollateral: sum((b) => b.fromCollateral), debt: await settlement.debt(id),
      accChainE36: st.accPerUnitE36, accModelE36: model.accE36, netPerUnitE18: model.netE18, grossPerUnitE18: model.grossE18,
      grossNoFeesPerUnitE18: model.grossNoFeesE18,
    };
    series.push(x);
    checks.push(eq(`series ${id} settled every day of its term so far`, x.settledDays, dueDays));
    checks.push(eq(`series ${id} per-unit yield: chain = formula on the data file`, x.accChainE36, x.accModelE36, "sats/unit × 1e36"));
    checks.push(eq(`series ${id} no farm debt`, x.debt, 0n));
    const dust = x.distributed - x.claimed - x.unclaimed;
    checks.push({ name: `series ${id} distributed = claimed + unclaimed + sub-sat dust`, ok: dust >= 0n && dust <= BigInt(accounts.length), detail: `dust ${dust} sats` });
    const g = graphSeries.get(String(id));
    if (idx) {
      checks.push(eq(`GraphQL series ${id} distributedSats = contract`, g?.distributedSats, String(st.distributed)));
      checks.push(eq(`GraphQL series ${id} claimedSats = Claimed events`, g?.claimedSats, String(x.claimed)));
      checks.push(eq(`GraphQL series ${id} accPerUnitE36 = contract`, g?.accPerUnitE36, String(st.accPerUnitE36)));
      checks.push(eq(`GraphQL series ${id} supply = contract`, g?.supply, String(st.supply)));
    }
  }

  const holders: Summary["holders"] = [];
  let holderMismatch = 0;
  let balanceMismatch = 0;
  for (const [i, h] of accounts.entries()) {
    const graph = new Map<string, any>();
    if (idx) {
      const d = await idx.query(`query($a: String!) { account(address: $a) { positions(includeEmpty: true) { seriesId balance claimableSats claimedSats } } }`, { a: h.address.toLowerCase() });
      for (const p of d.account.positions) graph.set(p.seriesId, p);
    }
    for (const id of w.ids) {
      if (id === undefined) continue;
      const balance = await token.balanceOf(h.address, id);
      if (i < w.holders.length && balance !== (w.balances[i].get(id) ?? 0n)) balanceMismatch++;
      const g = graph.get(String(id));
      const row = {
        address: h.address, id, balance, claimable: await token.claimable(h.address, id), claimed: claimedBy.get(`${h.address.toLowerCase()}:${id}`) ?? 0n,
        graph: { balance: BigInt(g?.balance ?? 0), claimable: BigInt(g?.claimableSats ?? 0), claimed: BigInt(g?.claimedSats ?? 0) },
      };
      if (row.balance === 0n && row.claimable === 0n && row.claimed === 0n && !g) continue;
      holders.push(row);
      if (idx && (row.graph.balance !== row.balance || row.graph.claimable !== row.claimable || row.graph.claimed !== row.claimed)) holderMismatch++;
    }
  }
  checks.push(eq("holder balances tracked by the replay = contract", balanceMismatch, 0, "mismatches"));
  if (idx) checks.push(eq(`GraphQL positions (balance, claimable, claimed) = contract, ${holders.length} positions`, holderMismatch, 0, "mismatches"));

  const farms: Summary["farms"] = [];
  let graphFarms = new Map<string, any>();
  if (idx) {
    const d = await idx.query(`{ farms { items { address debtSats pools { asset collateralSats slashedSats } } } }`);
    graphFarms = new Map(d.farms.items.map((x: any) => [x.address.toLowerCase(), x]));
  }
  for (const [f, fp] of w.plan.farms.entries()) {
    const addr = w.sys.farms[f].address;
    const ev = settled.filter((e) => e.args.farm.toLowerCase() === addr.toLowerCase());
    const slashed = ev.reduce((a, e) => a + e.args.b.fromCollateral, 0n);
    const compensation = ev.reduce((a, e) => a + e.args.b.compensation, 0n);
    const left = await settlement.collateral(addr, asset);
    const withdrawn = w.stats.debtPath?.farm === f ? w.stats.debtPath.withdrawn : 0n;
    const row = {
      name: fp.name, collateralPosted: w.stats.collateralPosted[f], collateralWithdrawn: withdrawn, collateralLeft: left, slashed, compensation,
      shortfallFromCollateral: slashed - compensation, deposited: w.stats.deposited[f], debt: await settlement.farmDebt(addr, asset),
    };
    farms.push(row);
    checks.push(eq(`farm ${fp.name}: collateral posted − withdrawn − slashed = collateral left`, row.collateralPosted - withdrawn - slashed, left));
    if (idx) {
      const pool = graphFarms.get(addr.toLowerCase())?.pools.find((p: any) => p.asset.toLowerCase() === asset.toLowerCase());
      checks.push(eq(`GraphQL farm ${fp.name} slashedSats = Σ Settled.fromCollateral`, pool?.slashedSats, String(slashed)));
      checks.push(eq(`GraphQL farm ${fp.name} collateralSats = contract`, pool?.collateralSats, String(left)));
    }
  }

  let underfund: Summary["underfund"] = null;
  const u = w.stats.underfund;
  if (u) {
    const addr = w.sys.farms[u.farm].address.toLowerCase();
    const ev = settled.filter((e) => e.args.farm.toLowerCase() === addr && Number(e.args.day) === u.day);
    const collateralPaid = ev.reduce((a, e) => a + e.args.b.fromCollateral - e.args.b.compensation, 0n);
    underfund = { farm: w.plan.farms[u.farm].name, day: u.day, needed: u.needed, deposited: u.deposited, collateralPaid };
    checks.push({ name: `under-funding on ${dateOfDay(u.day)}: collateral paid the shortfall`, ok: collateralPaid > 0n && collateralPaid === u.needed - u.deposited, detail: `${collateralPaid} sats (needed ${u.needed}, deposited ${u.deposited})` });
  }

  let debtPath: Summary["debtPath"] = null;
  const dp = w.stats.debtPath;
  if (dp) {
    const farm = w.sys.farms[dp.farm];
    const ids = new Set(w.plan.series.map((s, k) => (s.farm === dp.farm ? w.ids[k] : undefined)).filter((x) => x !== undefined));
    const repaidEvents = repaidEv.filter((e) => ids.has(e.args.id)).reduce((a, e) => a + e.args.amount, 0n);
    const debtLeft = await settlement.farmDebt(farm.address, asset);
    debtPath = {
      farm: w.plan.farms[dp.farm].name, stopDay: dp.stopDay, withdrawn: dp.withdrawn, exhaustedDay: dp.exhaustedDay ?? null,
      debtDays: dp.debtDays, debtBefore: dp.debtBefore ?? 0n, repayDay: dp.repayDay ?? null, repaid: dp.repaid ?? 0n,
      reposted: dp.reposted ?? 0n, repaidEvents, debtLeft,
    };
    checks.push(eq(`debt path: ${debtPath.farm}'s deposit repaid its whole debt (its DebtRepaid events = debt before)`, debtPath.repaid, debtPath.debtBefore));
    checks.push(eq(`debt path: ${debtPath.farm} has no debt left`, debtLeft, 0n));
  }

  let loan: LoanSummary | null = null;
  const l = w.lending;
  if (l) {
    const p = await position(l);
    const seized = l.liquidations.reduce((a, x) => a + x.seized, 0n);
    let graph: BorrowerView | null = null;
    const yieldInShares = await l.wrapper.previewUnwrap(p.collateral);
    if (idx) {
      await idx.waitForHead(); // `position` accrued Morpho's interest in a transaction
      const d = await idx.query(OWNER_VIEW, { a: l.borrower.address.toLowerCase() });
      const x = d.account.positions.find((q: any) => q.seriesId === String(w.ids[l.series]));
      const c = x?.collateral.find((q: any) => q.marketId === l.marketId);
      if (x && c) {
        graph = {
          direct: x.balance, wrapped: x.wrapped?.balance ?? "0", totalUnits: x.totalUnits, totalClaimableSats: x.totalClaimableSats,
          collateral: c.collateral, collateralYieldSats: c.claimableSats,
          borrowedAssets: c.borrowedAssets, ltvBps: c.ltvBps, lltvBps: c.lltvBps, healthy: c.healthy, healthFactor: c.healthFactor,
          liquidationPriceSats: c.liquidationPriceSats, lending: c.lendingValuation,
        };
      }
      checks.push(eq("GraphQL owner view: the borrower's collateral = Morpho position().collateral", graph?.collateral ?? "none", String(p.collateral), "units"));
      checks.push(eq("GraphQL owner view: sats the collateral shares carry = wrapper previewUnwrap(collateral)", graph?.collateralYieldSats ?? "none", String(yieldInShares), "sats"));
      checks.push(eq("GraphQL owner view: the borrower's debt = Morpho (shares to assets, rounded up)", graph?.borrowedAssets ?? "none", String(p.borrowed), "sats"));
      checks.push(eq("GraphQL owner view: LTV = debt / (collateral × oracle price)", graph?.ltvBps === null || graph?.ltvBps === undefined ? "none" : String(graph.ltvBps), p.value === 0n ? "none" : String(p.ltvBps), "bps"));
      checks.push(eq("GraphQL owner view: the market's price() from the oracle's recorded days and the share index", graph?.lending?.priceE36 ?? "none", String(p.price)));
      const wrapped = await l.wrapper.balanceOf(l.borrower.address);
      checks.push(eq("GraphQL owner view: wrapped units = wrapper balanceOf()", graph?.wrapped ?? "none", String(wrapped), "units"));
    }
    loan = {
      seriesId: w.ids[l.series]!, borrower: l.borrower.address, halvingDay: l.halvingDay, supplied: l.supplied, borrowed: l.borrowed,
      yieldInShares, flash: l.flash, leveredUp: l.leveredUp, repaid: l.repaid, collateralLeft: p.collateral, debtLeft: p.borrowed, ltvBps: p.ltvBps,
      maxLtvBps: l.maxLtvBps, healthy: p.healthy, liquidations: l.liquidations, graph,
    };
    checks.push(eq("loan: collateral in Morpho + seized = supplied", p.collateral + seized, l.supplied, "units"));
    checks.push(eq("loan: wrapped units held by Morpho = the borrower's collateral", await l.wrapper.balanceOf(await l.morpho.getAddress()), p.collateral, "units"));
    checks.push(eq("loan: wrapped units of the liquidator = seized", await l.wrapper.balanceOf(l.liquidator.address), seized, "units"));
    const index = await l.wrapper.indexE36();
    checks.push(eq("loan: the borrower's yield accrued inside its collateral shares = floor(collateral × index)", yieldInShares, (p.collateral * index) / 10n ** 36n, "sats"));
    checks.push(eq("loan: the share index = what a raw unit earned since the wrapper was created (token acc − acc0)", index, (await w.sys.token.accPerUnitE36(w.ids[l.series]!)) - (await l.wrapper.acc0())));
    if (l.flash) {
      checks.push(eq("flash loan of all Morpho's shares around settle: the attacker gained", l.flash.gainedSats, 0n, "sats"));
      checks.push({
        name: "flash loan around settle: the borrower's collateral shares were credited in full that day",
        ok: l.flash.borrowerCreditedSats >= l.flash.borrowerOwedSats && l.flash.borrowerCreditedSats <= l.flash.borrowerOwedSats + 1n,
        detail: `${l.flash.borrowerCreditedSats} sats credited, floor(collateral × Δacc) = ${l.flash.borrowerOwedSats}`,
      });
    } else if (lastDay - w.plan.fromDay >= 7) checks.push({ name: "flash loan around settle attempted", ok: false, detail: "not run" });
    checks.push({ name: "loan: the borrower's yield kept accruing while borrowed (share index > 0)", ok: index > 0n || lastDay - w.plan.fromDay < 7, detail: `${yieldInShares} sats in ${p.collateral} shares` });
  }

  let indexer: Summary["indexer"] = null;
  if (idx) {
    const m = await idx.query(`{ _meta { block lagBlocks } }`);
    indexer = { url: idx.url, block: m._meta.block, lagBlocks: m._meta.lagBlocks };
  }
  return { series, farms, underfund, debtPath, holders, indexer, loan, checks };
}

const btc = (sats: bigint) => `${formatScaled(sats, 8, 8)} BTC`;
/** Share of gross that transaction fees added, percent with 2 decimals (rounded). */
const feeShare = (x: SeriesSummary) =>
  x.grossPerUnitE18 === 0n ? "n/a" : `${formatRounded(((x.grossPerUnitE18 - x.grossNoFeesPerUnitE18) * 10n ** 6n) / x.grossPerUnitE18, 4, 2)} %`;
const pad = (s: string | number | bigint, n: number) => String(s).padStart(n);

/** The summary as text. */
export function formatSummary(p: { summary: Summary; plan: Plan; w: World; seconds: number; days: number; blocks: number; maxLag: number }): string {
  const { summary: s, w } = p;
  const out: string[] = [];
  const line = (x = "") => out.push(x);
  const last = p.plan.fromDay + p.days - 1;
  const cut = last < p.plan.toDay ? ` — interrupted, ${dateOfDay(p.plan.toDay)} was the last planned day` : "";
  line(`=== hashpower replay: ${dateOfDay(p.plan.fromDay)} .. ${dateOfDay(last)} (${p.days} real days${cut}), seed ${p.plan.seed}, ${w.holders.length} holders ===`);
  line(`wall time ${p.seconds.toFixed(1)} s from node start to summary (${(p.days / p.seconds).toFixed(2)} days/s overall), ${p.blocks} blocks, ${w.stats.txs} transactions`);
  const phases = Object.entries(w.stats.phaseMs).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(", ");
  line(`replay loop time by phase: ${phases}`);
  line(`activity: ${w.stats.sales} primary sales, ${w.stats.trades} trades, ${w.stats.gifts} gifts, ${w.stats.claims} claims`);
  if (w.stats.pending.length === 0) line(`oracle: all ${p.days} daily reports final on the input bounds (0 pending, no guardian action)`);
  for (const x of w.stats.pending) {
    line(`oracle: ${dateOfDay(x.day)} landed pending (hashprice ${formatRounded(x.hashpriceE18, 18, 2)} sats/TH/s·day, violations ${x.violations}), guardian confirmed`);
  }
  line(`oracle: BTC/USD from the feed on ${p.days - w.stats.feedLate.length} days, from the reporters' signed price on ${w.stats.feedLate.length} (feed late)`);
  line();
  line("payouts per series; per-unit yield in sats per unit (one unit = one TH/s·day) over the settled days:");
  line("  gross = Σ hashprice · (1 − pool fee) ÷ term (after the pool fee, before downtime, power, service; the settlement");
  line("  breakdown's gross); no-fees = the same on the subsidy-only hashprice; fee share = 1 − no-fees ÷ gross (what the");
  line("  transaction fees added); net(formula) = Σ settlement formula ÷ term on the data file, unrounded; net(chain) = the");
  line("  token's accumulator; exact = chain equals the formula replayed with the contracts' integer rounding (domain)");
  line(`${pad("id", 3)}  ${"series".padEnd(22)} ${pad("TH/s", 5)}  ${"term".padEnd(23)} ${pad("units", 8)} ${pad("distributed", 16)} ${pad("claimed", 16)} ${pad("unclaimed", 16)}  ${pad("unit: gross", 11)} ${pad("no-fees", 9)} ${pad("fee share", 9)} ${pad("net(formula)", 12)} ${pad("net(chain)", 12)}  exact`);
  for (const x of s.series) {
    const term = `${dateOfDay(x.startDay)}..${dateOfDay(x.startDay + x.termDays - 1)}`;
    line(
      `${pad(x.id, 3)}  ${x.label.padEnd(22)} ${pad(x.hashrateThs, 5)}  ${term.padEnd(23)} ${pad(x.supply, 8)} ${pad(btc(x.distributed), 16)} ${pad(btc(x.claimed), 16)} ${pad(btc(x.unclaimed), 16)}  ` +
        `${pad(formatRounded(x.grossPerUnitE18, 18, 4), 11)} ${pad(formatRounded(x.grossNoFeesPerUnitE18, 18, 4), 9)} ${pad(feeShare(x), 9)} ` +
        `${pad(formatRounded(x.netPerUnitE18, 18, 4), 12)} ${pad(formatRounded(x.accChainE36, 36, 4), 12)}  ${x.accChainE36 === x.accModelE36 ? "yes" : "NO"}`,
    );
  }
  line();
  line("farms (collateral in the payout asset):");
  for (const f of s.farms) {
    line(
      `  ${f.name.padEnd(12)} deposited ${btc(f.deposited)}, collateral posted ${btc(f.collateralPosted)}, withdrawn ${btc(f.collateralWithdrawn)}, slashed ${btc(f.slashed)} ` +
        `(compensation below SLA ${btc(f.compensation)}, shortfall ${btc(f.shortfallFromCollateral)}), left ${btc(f.collateralLeft)}, debt ${btc(f.debt)}`,
    );
  }
  const comp = s.farms.reduce((a, f) => a + f.compensation, 0n);
  const slashed = s.farms.reduce((a, f) => a + f.slashed, 0n);
  line(`  total compensation paid ${btc(comp)}; total collateral slashed ${btc(slashed)}`);
  if (s.underfund) {
    const u = s.underfund;
    line(`  under-funding: ${u.farm} on ${dateOfDay(u.day)} deposited ${btc(u.deposited)} of ${btc(u.needed)}; its collateral paid ${btc(u.collateralPaid)}`);
  }
  if (s.debtPath) {
    const d = s.debtPath;
    const span = d.debtDays.length ? `${dateOfDay(d.debtDays[0])}..${dateOfDay(d.debtDays[d.debtDays.length - 1])}` : "none";
    line(
      `  debt path: ${d.farm} withdrew ${btc(d.withdrawn)} of collateral down to the requirement and stopped funding on ${dateOfDay(d.stopDay)}; ` +
        `collateral ${d.exhaustedDay === null ? "never ran out" : `ran out on ${dateOfDay(d.exhaustedDay)}`}; debt added on ${d.debtDays.length} days (${span}) ` +
        `to ${btc(d.debtBefore)}; ${d.repayDay === null ? "not repaid" : `its deposit on ${dateOfDay(d.repayDay)} repaid ${btc(d.repaid)} to the holders (DebtRepaid) and it posted ${btc(d.reposted)} of collateral again`}; ` +
        `debt repaid over the run ${btc(d.repaidEvents)}, left ${btc(d.debtLeft)}`,
    );
  }
  if (s.loan) {
    const x = s.loan;
    line();
    line(`Morpho Blue loan against series ${x.seriesId} (collateral: its accumulating share; valuation: trailing 30-day net yield re-priced at the current subsidy, halving estimated from the retarget count${x.halvingDay ? ` (the real one: ${dateOfDay(x.halvingDay)})` : ""}, × remaining term + accrued sats; LLTV 77 %):`);
    line(`  holder 0 supplied ${x.supplied} shares as collateral and borrowed ${btc(x.borrowed)}; its collateral shares carry ${btc(x.yieldInShares)} of accrued yield`);
    if (x.leveredUp) line(`  on ${dateOfDay(x.leveredUp.day + 1)}, the eve of the halving report, it levered up to 99.9 % of its maximum (LTV ${Number(x.leveredUp.ltvBps) / 100} %)`);
    if (x.flash) {
      line(`  flash loan around settlement on ${dateOfDay(x.flash.day)}: an attacker flash-borrowed all ${x.flash.shares} shares Morpho held and settled the day inside the loan: it gained ${x.flash.gainedSats} sats; the borrower's shares were credited ${x.flash.borrowerCreditedSats} sats (owed ${x.flash.borrowerOwedSats})`);
    }
    for (const q of x.liquidations) {
      line(`  LIQUIDATED on ${dateOfDay(q.day + 1)} (after settling ${dateOfDay(q.day)}, LTV ${Number(q.ltvBps) / 100} %): Morpho seized ${q.seized} units, the liquidator repaid ${btc(q.repaidByLiquidator)}`);
    }
    line(`  at the end: ${x.healthy ? "healthy" : "unhealthy"}, collateral ${x.collateralLeft} units, debt ${btc(x.debtLeft)}, LTV ${Number(x.ltvBps) / 100} % (max seen ${Number(x.maxLtvBps) / 100} %)${x.liquidations.length === 0 ? ": never liquidated (safe)" : ""}`);
    const g = x.graph;
    if (g) {
      const pct = (bps: string | null) => (bps === null ? "n/a" : `${Number(bps) / 100} %`);
      line(`  as the GraphQL API reports it (account(holder 0).positions, owner view of series ${x.seriesId}):`);
      line(`    units: ${g.direct} direct + ${g.wrapped} wrapped + ${g.collateral} in Morpho = ${g.totalUnits}`);
      line(`    claimable or carried now: ${btc(BigInt(g.totalClaimableSats))} in all, of which ${btc(BigInt(g.collateralYieldSats))} inside the collateral shares`);
      line(`    debt ${btc(BigInt(g.borrowedAssets))}, LTV ${pct(g.ltvBps === null ? null : String(g.ltvBps))} vs LLTV ${g.lltvBps / 100} %, health factor ${g.healthFactor ?? "n/a"}, liquidation price ${g.liquidationPriceSats ?? "n/a"} sats/share: ${g.healthy === null ? "no price" : g.healthy ? "healthy" : "liquidatable"}`);
      if (g.lending) {
        const lv = g.lending;
        line(
          `    the market's valuation (its oracle, ${lv.freshness ?? "no data"}, latest recorded day ${lv.latestDay === null ? "n/a" : dateOfDay(lv.latestDay)}): ` +
            `${lv.shareValueE18 === null ? "n/a" : formatRounded(BigInt(lv.shareValueE18), 18, 2)} sats/share, collateral worth ${lv.valueLoanAssets === null ? "n/a" : btc(BigInt(lv.valueLoanAssets))}`,
        );
      }
    }
  }
  line();
  if (s.indexer) line(`indexer: GraphQL ${s.indexer.url}, indexed block ${s.indexer.block}, lag ${s.indexer.lagBlocks} blocks at the end (max ${p.maxLag} during the run)`);
  const bad = s.checks.filter((c) => !c.ok);
  line(`checks: ${s.checks.length - bad.length}/${s.checks.length} passed${bad.length ? "" : " (GraphQL totals = contract state; per-unit yield = formula on the data file)"}`);
  for (const c of bad) line(`  FAILED ${c.name}: ${c.detail}`);
  return out.join("\n");
}
