/**
 * The token's O(1) pro-rata payout accounting, bit-identical to `HashpowerToken.sol`.
 * Source: the accumulator pattern (Synthetix `rewardPerToken`, MasterChef `accPerShare`), with the
 * distribution remainder carried (`carryE36`) and per-holder accruals kept at 1e36 scale, so no dust is lost:
 *   funded · 1e36 = claimed · 1e36 + Σ holders accruedE36 (incl. unsettled) + carryE36.
 * The token stores the same numbers in another form: per holder its balance and a reward debt
 * `debt = balance · paidE36 − accruedE36` (mod 2^192), moved with the units, so its `accruedE36(account, id)` view
 * equals `accruedE36 + balance · (accPerUnitE36 − paidE36)` here, and every claim and event is identical.
 */
import { ACC_SCALE } from "./units.js";

/** One series' accumulator state. */
export interface SeriesAcc {
  supply: bigint;
  accPerUnitE36: bigint;
  carryE36: bigint;
}

/** One holder's checkpoint in one series. */
export interface HolderAcc {
  balance: bigint;
  /** accumulator value at the holder's last settlement */
  paidE36: bigint;
  /** settled but unclaimed accrual, sats × 1e36 */
  accruedE36: bigint;
}

/** Credits `amount` sats to a series pro rata. Throws when amount > 0 and supply is 0 (the contract reverts). */
export function distribute(s: SeriesAcc, amount: bigint): void {
  if (amount === 0n) return;
  if (s.supply === 0n) throw new Error("NoSupply");
  const num = amount * ACC_SCALE + s.carryE36;
  const delta = num / s.supply;
  s.carryE36 = num - delta * s.supply;
  s.accPerUnitE36 += delta;
}

/** Settles a holder against the series accumulator (what `_update` does before a balance changes). */
export function settle(s: SeriesAcc, h: HolderAcc): void {
  if (h.paidE36 !== s.accPerUnitE36) {
    h.accruedE36 += h.balance * (s.accPerUnitE36 - h.paidE36);
    h.paidE36 = s.accPerUnitE36;
  }
}

/** Claimable sats of a holder now: floor((accruedE36 + balance · (acc − paid)) / 1e36). */
export function claimable(s: SeriesAcc, h: HolderAcc): bigint {
  return (h.accruedE36 + h.balance * (s.accPerUnitE36 - h.paidE36)) / ACC_SCALE;
}

/** Claims: settles, pays the whole sats and keeps the sub-sat remainder. Returns sats paid. */
export function claim(s: SeriesAcc, h: HolderAcc): bigint {
  settle(s, h);
  const paid = h.accruedE36 / ACC_SCALE;
  h.accruedE36 -= paid * ACC_SCALE;
  return paid;
}
