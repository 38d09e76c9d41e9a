/**
 * Independent TypeScript model of one farm's settlement in one payout asset, built only from the agreed domain
 * modules (`domain/settlement.ts` for the formula and draw order, `accumulator.ts` for the token's
 * pro-rata accounting). Tests drive it alongside the contracts and compare every amount.
 */
import type { Interface, TransactionReceipt } from "ethers";
import { ACC_SCALE } from "../../domain/units.js";
import { draw, type FarmPools, type FormulaTerms, owedForDay, type PerThDay, perThDay } from "../../domain/settlement.js";
import { claim, claimable, distribute, type HolderAcc, type SeriesAcc, settle } from "../../domain/accumulator.js";

/** What the model computed for one series-day: the fields of `ISettlement.Breakdown` (the formula's `PerThDay`
 *  and the inputs and amounts around it). */
export interface ModelBreakdown extends PerThDay {
  hashpriceE18: bigint;
  uptimeBps: bigint;
  btcUsdE8: bigint;
  supply: bigint;
  owed: bigint;
  fromBalance: bigint;
  fromCollateral: bigint;
  compensation: bigint;
  debtAdded: bigint;
}

/** Breakdown of one series-day from the domain formula, drawing from (and mutating) `pools`. */
export function modelBreakdown(
  terms: FormulaTerms,
  hashpriceE18: bigint,
  uptimeBps: number,
  btcUsdE8: bigint,
  supply: bigint,
  pools: FarmPools,
): ModelBreakdown {
  const p = perThDay(terms, hashpriceE18, uptimeBps, btcUsdE8);
  const { owed, compensation } = owedForDay(terms, p, supply);
  const d = draw(pools, owed, compensation);
  return {
    hashpriceE18,
    uptimeBps: BigInt(uptimeBps),
    btcUsdE8,
    ...p,
    supply,
    owed,
    fromBalance: d.fromBalance,
    fromCollateral: d.fromCollateral,
    compensation,
    debtAdded: d.debtAdded,
  };
}

/** Converts an ethers `Breakdown` result (or its `toObject()`) into plain bigints keyed like `ModelBreakdown`. */
export function toBreakdown(result: object): ModelBreakdown {
  const b = result as Record<string, unknown>;
  const keys: (keyof ModelBreakdown)[] = [
    "hashpriceE18", "uptimeBps", "btcUsdE8", "grossE18", "poolFeeE18", "downtimeE18", "compensationE18",
    "electricityE18", "serviceE18", "netE18", "supply", "owed", "fromBalance", "fromCollateral", "compensation",
    "debtAdded",
  ];
  return Object.fromEntries(keys.map((k) => [k, BigInt(b[k] as bigint)])) as unknown as ModelBreakdown;
}

/**
 * `Settlement.requiredCollateral` as documented: ceil(Σ min(coverDays, days left) · hashrateThs · gross / 1e18) sats,
 * gross = trailing · (1e4 − poolFeeBps) / 1e4.
 */
export function requiredCollateral(
  list: { terms: { hashrateThs: bigint; poolFeeBps: number }; left: number }[],
  trailingE18: bigint,
  coverDays: number,
): bigint {
  let sum = 0n;
  for (const { terms, left } of list) {
    const gross = (trailingE18 * (10_000n - BigInt(terms.poolFeeBps))) / 10_000n;
    sum += BigInt(Math.min(coverDays, left)) * terms.hashrateThs * gross;
  }
  return (sum + 10n ** 18n - 1n) / 10n ** 18n;
}

/** The `Settled` events `settlement` emitted in a receipt, breakdowns as plain bigints, in log order. */
export function parseSettled(
  settlement: { target: unknown; interface: Interface },
  rc: TransactionReceipt,
): { id: bigint; day: number; b: ModelBreakdown }[] {
  const out: { id: bigint; day: number; b: ModelBreakdown }[] = [];
  for (const l of rc.logs) {
    if (l.address !== settlement.target) continue;
    const e = settlement.interface.parseLog(l);
    if (e?.name === "Settled") out.push({ id: e.args.id, day: Number(e.args.day), b: toBreakdown(e.args.b.toObject()) });
  }
  return out;
}

interface ModelSeries {
  terms: FormulaTerms;
  acc: SeriesAcc;
  holders: Map<string, HolderAcc>;
  debt: bigint;
  /** sats ever distributed to the series (days + repayments) */
  distributed: bigint;
}

/** One farm, one payout asset: pools, series (in creation order), holders and debts. */
export class FarmModel {
  pools: FarmPools = { balance: 0n, collateral: 0n };
  readonly series = new Map<bigint, ModelSeries>();
  /** sats the farm ever put in (deposits + collateral) */
  funded = 0n;

  addSeries(id: bigint, terms: FormulaTerms): void {
    this.series.set(id, { terms, acc: { supply: 0n, accPerUnitE36: 0n, carryE36: 0n }, holders: new Map(), debt: 0n, distributed: 0n });
  }

  private s(id: bigint): ModelSeries {
    const s = this.series.get(id);
    if (!s) throw new Error(`model: unknown series ${id}`);
    return s;
  }

  private h(s: ModelSeries, who: string): HolderAcc {
    let h = s.holders.get(who);
    if (!h) s.holders.set(who, (h = { balance: 0n, paidE36: s.acc.accPerUnitE36, accruedE36: 0n }));
    return h;
  }

  mint(id: bigint, to: string, units: bigint): void {
    const s = this.s(id);
    const h = this.h(s, to);
    settle(s.acc, h);
    h.balance += units;
    s.acc.supply += units;
  }

  transfer(id: bigint, from: string, to: string, units: bigint): void {
    const s = this.s(id);
    const a = this.h(s, from);
    const b = this.h(s, to);
    settle(s.acc, a);
    settle(s.acc, b);
    if (a.balance < units) throw new Error("model: insufficient balance");
    a.balance -= units;
    b.balance += units;
  }

  /** Settles a series-day like `Settlement.settle`. */
  settleDay(id: bigint, hashpriceE18: bigint, uptimeBps: number, btcUsdE8: bigint): ModelBreakdown {
    const s = this.s(id);
    const b = modelBreakdown(s.terms, hashpriceE18, uptimeBps, btcUsdE8, s.acc.supply, this.pools);
    s.debt += b.debtAdded;
    const paid = b.owed - b.debtAdded;
    distribute(s.acc, paid);
    s.distributed += paid;
    return b;
  }

  /** A deposit: repays debts oldest series first (skipping series without supply), the rest to the balance. */
  deposit(amount: bigint): { id: bigint; amount: bigint }[] {
    this.funded += amount;
    const repaid: { id: bigint; amount: bigint }[] = [];
    let rest = amount;
    for (const [id, s] of this.series) {
      if (rest === 0n) break;
      if (s.debt === 0n || s.acc.supply === 0n) continue;
      const x = s.debt < rest ? s.debt : rest;
      s.debt -= x;
      rest -= x;
      distribute(s.acc, x);
      s.distributed += x;
      repaid.push({ id, amount: x });
    }
    this.pools.balance += rest;
    return repaid;
  }

  postCollateral(amount: bigint): void {
    this.funded += amount;
    this.pools.collateral += amount;
  }

  debt(id: bigint): bigint {
    return this.s(id).debt;
  }

  distributed(id: bigint): bigint {
    return this.s(id).distributed;
  }

  claimable(id: bigint, who: string): bigint {
    const s = this.s(id);
    const h = s.holders.get(who);
    return h ? claimable(s.acc, h) : 0n;
  }

  claim(id: bigint, who: string): bigint {
    const s = this.s(id);
    return claim(s.acc, this.h(s, who));
  }

  /** Σ over holders of accruals (× 1e36) + carry: equals distributed × 1e36 minus what was claimed × 1e36. */
  accountedE36(id: bigint): bigint {
    const s = this.s(id);
    let sum = s.acc.carryE36;
    for (const h of s.holders.values()) sum += h.accruedE36 + h.balance * (s.acc.accPerUnitE36 - h.paidE36);
    return sum;
  }
}

export { ACC_SCALE };
