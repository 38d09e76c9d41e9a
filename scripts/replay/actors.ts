/**
 * Who acts in the replay and what they will do, fixed up front from the range and the seed:
 * the farms and their series, each farm's daily uptime (with outages below the SLA), the days the BTC/USD feed
 * is late (the oracle then takes the reporters' price), the one day a farm under-funds its payouts, and a
 * deterministic random source for the holders' trades and claims.
 *
 * Every pseudo-random choice is `hash(seed, tag, day, index)`: the same seed gives the same history whatever the
 * order of the calls, so a shorter range is a prefix of a longer one.
 */
import { computeAddress } from "ethers";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { FormulaTerms } from "../../domain/settlement.js";

/** Uniform number in [0, 1) from the seed and any keys (a 32-bit mix of FNV-1a and xorshift-multiply). */
export function rand(seed: number, ...keys: (string | number)[]): number {
  let h = 0x811c9dc5 ^ seed;
  for (const k of keys) {
    const s = String(k);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x2f, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Integer in [lo, hi] from `rand`. */
export function randInt(lo: number, hi: number, seed: number, ...keys: (string | number)[]): number {
  return lo + Math.floor(rand(seed, ...keys) * (hi - lo + 1));
}

/** A farm of the replay. */
export interface FarmPlan {
  name: string;
  /** index of its account among the node's accounts */
  account: number;
  capacityThs: bigint;
  /** probability of an outage day (uptime below every SLA) */
  outageRate: number;
}

/** A series of the replay: its terms (farm and payout asset are filled in at issuance) and when it is issued. */
export interface SeriesPlan {
  label: string;
  farm: number;
  hashrateThs: bigint;
  startDay: number;
  terms: FormulaTerms;
  /** chain day on which the farm issues and sells it (before `startDay`, so supply is fixed over the term) */
  issueDay: number;
  /** share of the supply cap sold to holders, bps */
  saleBps: number;
}

/** The whole plan. */
export interface Plan {
  seed: number;
  fromDay: number;
  toDay: number;
  farms: FarmPlan[];
  series: SeriesPlan[];
  /** the day farm 1 deposits only a quarter of what it owes (its collateral pays the rest) */
  underfund: { farm: number; day: number; fraction: number };
  /**
   * The debt path: on `stopDay` farm `farm` withdraws its collateral down to the settlement's requirement and stops
   * funding; its collateral pays until it runs out, then its series accrue debt; once debt was added on
   * `debtDays` settled days (or on the range's second-to-last day at the latest) it deposits what the day needs
   * plus the whole debt, which the settlement repays to the holders first.
   */
  debtPath: { farm: number; stopDay: number; debtDays: number };
}

/** Node account indices (Hardhat's default accounts of the `node` network). */
export const ACCOUNTS = { admin: 0, guardian: 1, keeper: 2, farms: [3, 4], submitter: 5, lender: 6, liquidator: 7 } as const;

/**
 * The plan for [fromDay, toDay]: farm 0 "Alpha Hydro" (efficient machines, cheap power), farm 1 "Beta Gas"
 * (older machines); series 1 and 2 start on the first day, series 3 is issued mid-range a week before it starts,
 * series 4 takes over farm 1's capacity when series 2 ends. Every term lies inside the range.
 */
export function makePlan(seed: number, fromDay: number, toDay: number): Plan {
  const n = toDay - fromDay + 1;
  const half = Math.ceil(n / 2);
  const thirdStart = fromDay + Math.floor(n / 3);
  const farms: FarmPlan[] = [
    { name: "Alpha Hydro", account: ACCOUNTS.farms[0], capacityThs: 4_000n, outageRate: 0.04 },
    { name: "Beta Gas", account: ACCOUNTS.farms[1], capacityThs: 1_500n, outageRate: 0.08 },
  ];
  const series: SeriesPlan[] = [
    {
      label: "Alpha S21 full range",
      farm: 0,
      hashrateThs: 2_000n,
      startDay: fromDay,
      // 17.5 J/TH (Antminer S21), 2 % pool fee, 95 % SLA, 0.045 USD/kWh, 0.0015 USD per TH/s·day service fee
      terms: { termDays: n, efficiencyJPerThE3: 17_500, poolFeeBps: 200, slaBps: 9_500, powerCostUsdPerKWhE6: 45_000, serviceFeeUsdPerThDayE6: 1_500 },
      issueDay: fromDay,
      saleBps: 10_000,
    },
    {
      label: "Beta S19j first half",
      farm: 1,
      hashrateThs: 1_000n,
      startDay: fromDay,
      // 29.5 J/TH (Antminer S19j Pro), 2.5 % pool fee, 90 % SLA, 0.04 USD/kWh, no service fee
      terms: { termDays: half, efficiencyJPerThE3: 29_500, poolFeeBps: 250, slaBps: 9_000, powerCostUsdPerKWhE6: 40_000, serviceFeeUsdPerThDayE6: 0 },
      issueDay: fromDay,
      saleBps: 9_000,
    },
    {
      label: "Alpha S19XP mid-range",
      farm: 0,
      hashrateThs: 1_500n,
      startDay: thirdStart,
      // 21.5 J/TH (Antminer S19 XP), 1.5 % pool fee, 98 % SLA, 0.05 USD/kWh, 0.001 USD per TH/s·day
      terms: { termDays: Math.max(1, Math.floor(n / 2)), efficiencyJPerThE3: 21_500, poolFeeBps: 150, slaBps: 9_800, powerCostUsdPerKWhE6: 50_000, serviceFeeUsdPerThDayE6: 1_000 },
      issueDay: Math.max(fromDay, thirdStart - 7),
      saleBps: 8_000,
    },
    {
      label: "Beta S19j 2H power in",
      farm: 1,
      hashrateThs: 1_000n,
      startDay: fromDay + half,
      // power included in the price (the farm bears it): holders get the gross after pool fee and downtime
      terms: { termDays: n - half, efficiencyJPerThE3: 29_500, poolFeeBps: 250, slaBps: 9_000, powerCostUsdPerKWhE6: 0, serviceFeeUsdPerThDayE6: 0 },
      issueDay: Math.max(fromDay, fromDay + half - 7),
      saleBps: 10_000,
    },
  ];
  const underfundDay = fromDay + Math.floor(n * 0.6);
  return {
    seed, fromDay, toDay, farms, series,
    underfund: { farm: 1, day: underfundDay, fraction: 0.25 },
    debtPath: { farm: 1, stopDay: underfundDay + 1, debtDays: 3 },
  };
}

/** Farm `farm`'s uptime on `day`, bps: 98-100 % normally, 50-85 % on an outage day (below every SLA). */
export function uptimeBps(plan: Plan, farm: number, day: number): number {
  const f = plan.farms[farm];
  if (rand(plan.seed, "outage", farm, day) < f.outageRate) return randInt(5_000, 8_500, plan.seed, "outage-depth", farm, day);
  return randInt(9_800, 10_000, plan.seed, "uptime", farm, day);
}

/** Whether the BTC/USD feed misses its update before `day`'s report (about 3 % of days). */
export function feedLate(plan: Plan, day: number): boolean {
  return rand(plan.seed, "feed-late", day) < 0.03;
}

/** Deterministic key of a replay account (local chains only: these keys are public). */
function devKey(label: string): `0x${string}` {
  return keccak256(toHex(`hashpower replay ${label}`));
}

/** The reporters' keys (N = 3, quorum 2), as viem accounts for the reporter module. */
export function reporterAccounts(n = 3): PrivateKeyAccount[] {
  return Array.from({ length: n }, (_, i) => privateKeyToAccount(devKey(`reporter ${i}`)));
}

/** The holders' addresses (of deterministic keys: the same holders on every run with the same count). */
export function holderAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => computeAddress(devKey(`holder ${i}`)));
}

/** Holders that never claim during the replay (every sixth), so unclaimed yield is left to compare at the end. */
export function isHodler(i: number): boolean {
  return i % 6 === 5;
}
