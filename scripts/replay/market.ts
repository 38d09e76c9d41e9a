/**
 * What farms and holders do in the replay: a farm posts collateral and issues a series, sells it to holders for
 * (test) WBTC, and funds each day's payout once the oracle has reported it; holders buy from each other, give
 * units away, and claim their yield. Transactions are sent one after the other by the node's accounts
 * (`NodeAccount`, chain.ts). A farm's day of funding and the holders' day are each one block (`oneBlock`): their
 * reads come before their transactions; elsewhere the node automines, so each transaction is in its own block when
 * `send` returns, and a revert surfaces as the error of its `eth_sendTransaction`.
 */
import { inOneBlock, readAll, type NodeAccount, type Read } from "./chain.js";
import type { DayInputs } from "../../domain/data.js";
import { perThDay } from "../../domain/settlement.js";
import { BPS, E18 } from "../../domain/units.js";
import { isHodler, rand, randInt, type Plan, type SeriesPlan } from "./actors.js";
import type { System } from "./deploy.js";
import { ORACLE } from "./deploy.js";

/** Mutable state shared by the replay's steps. */
export interface World {
  plan: Plan;
  sys: System;
  holders: NodeAccount[];
  /** real inputs by day (the warm-up day and the replayed days) */
  data: Map<number, DayInputs>;
  /** token id of each planned series once issued */
  ids: (bigint | undefined)[];
  /** balances[h].get(id): holder h's units, tracked locally (checked against the chain at the end) */
  balances: Map<bigint, bigint>[];
  stats: Stats;
  /** the Morpho loan of one holder, once opened (lending.ts) */
  lending?: import("./lending.js").Lending;
}

/** Counters for progress and summary. */
export interface Stats {
  txs: number;
  sales: number;
  trades: number;
  gifts: number;
  claims: number;
  /** sats deposited per farm */
  deposited: bigint[];
  /** sats posted as collateral per farm */
  collateralPosted: bigint[];
  /** days whose report landed pending (an input outside its bound; `violations` = IHashpriceOracle flags) and the guardian confirmed */
  pending: { day: number; hashpriceE18: bigint; violations: number }[];
  /** days the feed missed its update (the oracle used the reporters' price) */
  feedLate: number[];
  /** wall time per phase of the daily step, ms */
  phaseMs: Record<string, number>;
  /** the under-funding: what the farm should have deposited and what it did */
  underfund?: { farm: number; day: number; needed: bigint; deposited: bigint };
  /** the debt path (plan.debtPath) as it happened */
  debtPath?: DebtPathStats;
}

/** What the debt path did: collateral withdrawn at the stop, the day collateral ran out, debt days, repayment. */
export interface DebtPathStats {
  farm: number;
  stopDay: number;
  /** collateral withdrawn down to the requirement at the stop, sats */
  withdrawn: bigint;
  /** first day a settlement left the farm's collateral at 0 */
  exhaustedDay?: number;
  /** days whose settlement added debt */
  debtDays: number[];
  /** the farm's debt before the repaying deposit, sats */
  debtBefore?: bigint;
  /** day whose funding repaid the debt, and the sats its deposit repaid (its DebtRepaid events) */
  repayDay?: number;
  repaid?: bigint;
  /** collateral posted back after the repayment (1.5 × the requirement), sats */
  reposted?: bigint;
}

/** Sends one transaction and counts it. */
export async function send(w: World, tx: Promise<unknown>): Promise<void> {
  await tx;
  w.stats.txs++;
}

/**
 * Runs `f` with its transactions mined as one block (`inOneBlock`, chain.ts): reads inside `f` see the state before
 * the block, `flush()` mines what was sent so far.
 */
export function oneBlock<T>(w: World, f: (flush: (others?: string[]) => Promise<void>) => Promise<T>): Promise<T> {
  return inOneBlock(w.sys.admin.url, f);
}

/** Sats a unit of `s` is worth at the net yield of `day`'s inputs at full uptime, for `daysLeft` of its term, × `bps`. */
function unitPrice(s: SeriesPlan, d: DayInputs, daysLeft: number, bps: bigint): bigint {
  const net = perThDay(s.terms, d.hashpriceE18, 10_000, d.btcUsdE8).netE18;
  const p = (net * BigInt(daysLeft) * bps) / (BigInt(s.terms.termDays) * BPS * E18);
  return p > 0n ? p : 1n;
}

/** Gives every holder gas money and 5 test BTC to buy with; gives the farms an allowance for the settlement. */
export async function fundAccounts(w: World, rpcSetBalance: (addr: string, wei: bigint) => Promise<void>): Promise<void> {
  const { wbtc, settlement } = w.sys;
  for (const h of w.holders) await rpcSetBalance(h.address, 10n ** 20n);
  await oneBlock(w, async () => {
    for (const h of w.holders) await send(w, wbtc.mint(h.address, 5n * 10n ** 8n));
    for (const f of w.sys.farms) await send(w, wbtc.connect(f).approve(settlement, 2n ** 255n));
  });
}

/**
 * Farm `s.farm` issues series `k` of the plan: tops its collateral up to 1.5 × what the settlement will require
 * with the new series (`settlement.quoteCollateral`: coverDays × trailing — or bootstrap — hashprice after pool fee ×
 * hashrate), creates
 * the series, and sells `saleBps` of its cap to a seeded subset of the holders at 90 % of its value at `day`'s
 * net yield. Returns the token id.
 */
export async function issueSeries(w: World, k: number, day: number): Promise<bigint> {
  const s = w.plan.series[k];
  const { token, settlement, wbtc } = w.sys;
  const farm = w.sys.farms[s.farm];
  const asset = await wbtc.getAddress();
  const terms = {
    farm: farm.address,
    payoutAsset: asset,
    hashrateThs: s.hashrateThs,
    startDay: s.startDay,
    termDays: s.terms.termDays,
    efficiencyJPerThE3: s.terms.efficiencyJPerThE3,
    poolFeeBps: s.terms.poolFeeBps,
    slaBps: s.terms.slaBps,
    powerCostUsdPerKWhE6: s.terms.powerCostUsdPerKWhE6,
    serviceFeeUsdPerThDayE6: s.terms.serviceFeeUsdPerThDayE6,
  };
  // what the settlement will require with the new series (bootstrap hashprice before the first final day), + 50 %
  const target = ((await settlement.quoteCollateral(terms)) * 3n) / 2n;
  const have = await settlement.collateral(farm.address, asset);
  if (target > have) {
    await send(w, wbtc.mint(farm.address, target - have));
    await send(w, settlement.connect(farm).postCollateral(farm.address, asset, target - have));
    w.stats.collateralPosted[s.farm] += target - have;
  }
  await send(w, token.connect(farm).createSeries(terms));
  const id = await token.seriesCount();
  w.ids[k] = id;

  // primary sale: buyers and their shares from the seed (at least two buyers)
  const cap = s.hashrateThs * BigInt(s.terms.termDays);
  const sold = (cap * BigInt(s.saleBps)) / BPS;
  // each holder buys with probability 0.6, and certainly from series k ≡ its index (mod series count): all buy
  let buyers = w.holders.map((_, i) => i).filter((i) => i % w.plan.series.length === k || rand(w.plan.seed, "buy", k, i) < 0.6);
  if (k === 0 && !buyers.includes(0)) buyers.unshift(0); // holder 0 borrows against the first series (lending.ts)
  if (buyers.length < 2) buyers = [0, 1];
  // holder 0, the borrower, buys a large block of the first series
  const weights = buyers.map((i) => BigInt(k === 0 && i === 0 ? 500 : randInt(1, 100, w.plan.seed, "weight", k, i)));
  const total = weights.reduce((a, b) => a + b, 0n);
  const price = unitPrice(s, w.data.get(day - 1)!, s.terms.termDays, 9_000n);
  let left = sold;
  for (const [j, i] of buyers.entries()) {
    const units = j === buyers.length - 1 ? left : (sold * weights[j]) / total;
    left -= units;
    if (units === 0n) continue;
    const h = w.holders[i];
    await send(w, wbtc.connect(h).transfer(farm.address, units * price));
    await send(w, token.connect(farm).mint(h.address, id, units, "0x"));
    w.balances[i].set(id, (w.balances[i].get(id) ?? 0n) + units);
    w.stats.sales++;
  }
  return id;
}

/** Planned series indices active on `day` (issued, and `day` inside the term). */
export function activeSeries(w: World, day: number): number[] {
  return w.plan.series
    .map((s, k) => ({ s, k }))
    .filter(({ s, k }) => w.ids[k] !== undefined && day >= s.startDay && day < s.startDay + s.terms.termDays)
    .map(({ k }) => k);
}

/**
 * Each farm funds `day`'s payouts once the oracle has it: it quotes every active series (`Settlement.quote`),
 * and deposits what the payout balance lacks for the part not paid from collateral (owed − compensation).
 * On the plan's under-funding day that farm deposits only a fraction: its collateral pays the shortfall.
 * One block for both farms (a farm's reads are not changed by the other farm's transactions).
 */
export async function fundDay(w: World, day: number): Promise<void> {
  await oneBlock(w, (flush) => fundDayIn(w, day, flush));
}

async function fundDayIn(w: World, day: number, flush: (others?: string[]) => Promise<void>): Promise<void> {
  const { settlement, wbtc } = w.sys;
  const asset = await wbtc.getAddress();
  for (const [f, farm] of w.sys.farms.entries()) {
    const ks = activeSeries(w, day).filter((k) => w.plan.series[k].farm === f);
    if (ks.length === 0) continue;
    const dp = w.plan.debtPath;
    let resumed = false;
    if (dp.farm === f && day >= dp.stopDay) {
      const st = w.stats.debtPath;
      if (!st) {
        // the stop: collateral down to the requirement, no deposit
        const have = await settlement.collateral(farm.address, asset);
        const required = await settlement.requiredCollateral(farm.address, asset);
        const withdrawn = have > required ? have - required : 0n;
        if (withdrawn > 0n) await send(w, settlement.connect(farm).withdrawCollateral(asset, withdrawn, farm.address));
        w.stats.debtPath = { farm: f, stopDay: day, withdrawn, debtDays: [] };
        continue;
      }
      if (st.repayDay === undefined) {
        if (st.debtDays.length < dp.debtDays && day < w.plan.toDay - 1) continue; // still not funding
        st.debtBefore = await settlement.farmDebt(farm.address, asset);
        st.repayDay = day;
        resumed = true;
      }
    }
    // a deposit repays the farm's debts first: fund them too, so the day's payout is still covered
    const [repay, balance, ...quotes] = await readAll(w.sys.admin.url, [
      [settlement, "farmDebt", [farm.address, asset]],
      [settlement, "payoutBalance", [farm.address, asset]],
      ...ks.map((k): Read => [settlement, "quote", [w.ids[k]!, day]]),
    ]);
    const need = quotes.reduce((a: bigint, q: { owed: bigint; compensation: bigint }) => a + q.owed - q.compensation, 0n);
    let amount = (need > balance ? need - balance : 0n) + repay;
    const u = w.plan.underfund;
    if (u.farm === f && u.day === day) {
      const part = (amount * BigInt(Math.round(u.fraction * 10_000))) / BPS;
      w.stats.underfund = { farm: f, day, needed: amount, deposited: part };
      amount = part;
    }
    if (amount > 0n) {
      await send(w, wbtc.mint(farm.address, amount));
      await send(w, settlement.connect(farm).deposit(farm.address, asset, amount));
      w.stats.deposited[f] += amount;
    }
    if (resumed) {
      // the repaying deposit's DebtRepaid events, then collateral back up to 1.5 × the requirement
      await flush();
      const st = w.stats.debtPath!;
      const block = await settlement.runner!.provider!.getBlockNumber();
      st.repaid = (await settlement.queryFilter(settlement.filters.DebtRepaid(undefined, farm.address), block, block)).reduce((a, e) => a + e.args.amount, 0n);
      const target = ((await settlement.requiredCollateral(farm.address, asset)) * 3n) / 2n;
      const have = await settlement.collateral(farm.address, asset);
      if (target > have) {
        await send(w, wbtc.mint(farm.address, target - have));
        await send(w, settlement.connect(farm).postCollateral(farm.address, asset, target - have));
        w.stats.collateralPosted[f] += target - have;
        st.reposted = target - have;
      }
    }
  }
}

/** Ids holder `i` holds a positive balance of. */
function held(w: World, i: number): bigint[] {
  return [...w.balances[i]].filter(([, b]) => b > 0n).map(([id]) => id);
}

function move(w: World, from: number, to: number, id: bigint, units: bigint): void {
  w.balances[from].set(id, w.balances[from].get(id)! - units);
  w.balances[to].set(id, (w.balances[to].get(id) ?? 0n) + units);
}

/**
 * The holders' day (chain day `day` + 1, after `day` was settled): about one action per 12 holders, each a sale
 * between holders (buyer pays WBTC at 97 % of the remaining value, seller transfers the units) or a gift of 10 %
 * of every position (one batch transfer); then each holder that is not a hodler claims with probability 1/10.
 * One block (the balances are tracked locally: no read).
 */
export async function holdersDay(w: World, day: number): Promise<void> {
  await oneBlock(w, () => holdersDayIn(w, day));
}

async function holdersDayIn(w: World, day: number): Promise<void> {
  const { token, wbtc } = w.sys;
  const { seed } = w.plan;
  const n = w.holders.length;
  const actions = Math.max(1, Math.round(n / 12));
  for (let a = 0; a < actions; a++) {
    const r = rand(seed, "action", day, a);
    if (r >= 0.8) continue;
    const from = randInt(0, n - 1, seed, "seller", day, a);
    const to = (from + randInt(1, n - 1, seed, "buyer", day, a)) % n;
    const ids = held(w, from);
    if (ids.length === 0) continue;
    const seller = w.holders[from];
    const buyer = w.holders[to];
    if (r < 0.5) {
      const id = ids[randInt(0, ids.length - 1, seed, "trade-id", day, a)];
      const k = w.ids.indexOf(id);
      const s = w.plan.series[k];
      const bal = w.balances[from].get(id)!;
      const units = (bal * BigInt(randInt(10, 50, seed, "trade-size", day, a))) / 100n || 1n;
      const daysLeft = Math.max(0, s.startDay + s.terms.termDays - (day + 1));
      const price = daysLeft > 0 ? unitPrice(s, w.data.get(day)!, daysLeft, 9_700n) : 0n;
      if (price > 0n) await send(w, wbtc.connect(buyer).transfer(seller.address, units * price));
      await send(w, token.connect(seller).safeTransferFrom(seller.address, buyer.address, id, units, "0x"));
      move(w, from, to, id, units);
      w.stats.trades++;
    } else {
      const amounts = ids.map((id) => w.balances[from].get(id)! / 10n || 1n);
      await send(w, token.connect(seller).safeBatchTransferFrom(seller.address, buyer.address, ids, amounts, "0x"));
      ids.forEach((id, j) => move(w, from, to, id, amounts[j]));
      w.stats.gifts++;
    }
  }
  for (const [i, h] of w.holders.entries()) {
    if (isHodler(i) || rand(seed, "claim", day, i) >= 0.1) continue;
    const ids = [...w.balances[i].keys()];
    if (ids.length === 0) continue;
    await send(w, token.connect(h).claim(ids, h.address));
    w.stats.claims++;
  }
}

/** The guardian confirms `day` if its report landed pending. */
export async function confirmIfPending(w: World, day: number, guardian: NodeAccount): Promise<void> {
  const v = await w.sys.oracle.dailyValues(day);
  if (v.status !== 1n) return;
  const [ev] = await w.sys.oracle.queryFilter(w.sys.oracle.filters.DailyReportPending(day));
  await send(w, w.sys.oracle.connect(guardian).confirmPending(day));
  w.stats.pending.push({ day, hashpriceE18: v.hashpriceE18, violations: ev ? Number(ev.args.violations) : -1 });
}

/** After `day`'s settlement: records when the stopped farm's collateral ran out and each day that added debt. */
export async function trackDebtPath(w: World, day: number): Promise<void> {
  const st = w.stats.debtPath;
  if (!st || st.repayDay !== undefined) return;
  const farm = w.sys.farms[st.farm];
  const asset = await w.sys.wbtc.getAddress();
  if (st.exhaustedDay === undefined && (await w.sys.settlement.collateral(farm.address, asset)) === 0n) st.exhaustedDay = day;
  const ev = await w.sys.settlement.queryFilter(w.sys.settlement.filters.Settled(undefined, day, farm.address));
  if (ev.some((e) => e.args.b.debtAdded > 0n)) st.debtDays.push(day);
}
