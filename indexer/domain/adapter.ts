/**
 * The accounting of `MorphoCollateralAdapter.sol`, bit-identical to the contract: the yield the wrapper pays
 * Morpho's address is claimed by the adapter and split over the borrowers' recorded collateral with a second
 * accumulator, per wrapper (the pool), over `den = max(recorded, held)` (`held` = Morpho's wrapped balance):
 *   harvest(x):   received += x; num = x·1e36 + carry; Δ = num / den; carry = num − Δ·den; acc += Δ;
 *                 unallocated += Δ · (den − recorded)              (den = 0: unallocated += x·1e36)
 *   settle(a):    if paid ≠ acc: accrued += collateral · (acc − paid); paid = acc
 *   sync(a, n):   settle(a); totalRecorded += n − collateral; collateral = n
 *   claim(a):     settle(a); pay floor(accrued / 1e36), keep the remainder; paid += that
 *   claimable(a): acc' = acc + (pending·1e36 + carry) / den  (pending = the wrapper's claimable for Morpho, den ≠ 0)
 *                 floor((accrued + collateral · (acc' − paid)) / 1e36)
 * Exactly: received · 1e36 = paid · 1e36 + Σ accruals (incl. unsettled) + carry + unallocated.
 */
import { ACC_SCALE } from "./units.js";

/** One wrapper's pool (`poolOf`): units recorded, accumulator (sats per unit × 1e36), carry and unallocated
 *  (sats × 1e36), sats received from the wrapper and paid out. */
export interface AdapterPool {
  totalRecorded: bigint;
  accPerUnitE36: bigint;
  carryE36: bigint;
  unallocatedE36: bigint;
  received: bigint;
  paid: bigint;
}

/** One (market, user) record (`accountOf`): collateral units at the last sync, checkpoint, accrual (sats × 1e36). */
export interface AdapterAccount {
  collateral: bigint;
  paidE36: bigint;
  accruedE36: bigint;
}

/** A new, empty pool. */
export const emptyPool = (): AdapterPool => ({ totalRecorded: 0n, accPerUnitE36: 0n, carryE36: 0n, unallocatedE36: 0n, received: 0n, paid: 0n });

/** Denominator of a split: the larger of the recorded units and Morpho's wrapped balance `held`. */
export function den(recorded: bigint, held: bigint): bigint {
  return recorded > held ? recorded : held;
}

/** `_harvest` of `x` sats with Morpho holding `held` wrapped units. Returns the sats set aside (the event's
 *  `unallocated`, floored). */
export function harvest(p: AdapterPool, x: bigint, held: bigint): bigint {
  if (x === 0n) return 0n;
  p.received += x;
  const d = den(p.totalRecorded, held);
  let unallocatedE36: bigint;
  if (d === 0n) {
    unallocatedE36 = x * ACC_SCALE;
  } else {
    const num = x * ACC_SCALE + p.carryE36;
    const delta = num / d;
    p.carryE36 = num - delta * d;
    p.accPerUnitE36 += delta;
    unallocatedE36 = delta * (d - p.totalRecorded);
  }
  p.unallocatedE36 += unallocatedE36;
  return unallocatedE36 / ACC_SCALE;
}

/** `_settle`: credits `a` its share of the pool's accumulator since its checkpoint. */
export function settle(p: AdapterPool, a: AdapterAccount): void {
  if (a.paidE36 === p.accPerUnitE36) return;
  if (a.collateral !== 0n) a.accruedE36 += a.collateral * (p.accPerUnitE36 - a.paidE36);
  a.paidE36 = p.accPerUnitE36;
}

/** `_sync` (after the harvest): settles `a`, then records Morpho's collateral `units`. */
export function sync(p: AdapterPool, a: AdapterAccount, units: bigint): void {
  settle(p, a);
  p.totalRecorded += units - a.collateral;
  a.collateral = units;
}

/** `_claim` (after harvest and sync): pays the whole sats of `a`'s accrual. Returns the sats paid. */
export function claim(p: AdapterPool, a: AdapterAccount): bigint {
  settle(p, a);
  const amount = a.accruedE36 / ACC_SCALE;
  a.accruedE36 -= amount * ACC_SCALE;
  p.paid += amount;
  return amount;
}

/** `sweepUnallocated`: the whole sats set aside. Returns the sats swept. */
export function sweep(p: AdapterPool): bigint {
  const amount = p.unallocatedE36 / ACC_SCALE;
  p.unallocatedE36 -= amount * ACC_SCALE;
  p.paid += amount;
  return amount;
}

/**
 * The `claimable(id, user)` view: `pending` = sats the wrapper owes Morpho's address now (`SeriesWrapper.claimable`),
 * `held` = Morpho's wrapped balance now.
 */
export function claimable(p: AdapterPool, a: AdapterAccount, pending: bigint, held: bigint): bigint {
  let acc = p.accPerUnitE36;
  if (pending !== 0n) {
    const d = den(p.totalRecorded, held);
    if (d !== 0n) acc += (pending * ACC_SCALE + p.carryE36) / d;
  }
  return (a.accruedE36 + a.collateral * (acc - a.paidE36)) / ACC_SCALE;
}
