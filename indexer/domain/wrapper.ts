/**
 * The accounting of `SeriesWrapper.sol` (the series' ERC-20: 1 wrapped token = 1 unit = 1 TH/s·day), bit-identical
 * to the contract. The wrapper keeps no accumulator of its own: a holder's checkpoint is settled against the
 * token's `accPerUnitE36` of the series (sats per unit × 1e36), read at the moment of the balance change, so a
 * wrapped unit earns exactly what an unwrapped unit earns:
 *   settle(h, acc):  if paid ≠ acc: accrued += balance · (acc − paid); paid = acc          (`_settle`)
 *   transfer:        settle(from, acc); settle(to, acc) unless to = from; then move the balance  (`_update`)
 *   claimable(h):    floor((accrued + balance · (acc − paid)) / 1e36)                         (`claimable`)
 *   claim(h):        settle(h, acc); pay floor(accrued / 1e36); keep the sub-sat remainder   (`_claim`)
 * (`from`/`to` null = mint on wrap / burn on unwrap.)
 */
import { ACC_SCALE } from "./units.js";
import type { HolderAcc } from "./accumulator.js";

/** Settles `h` at the token's accumulator `accE36` (the wrapper's `_settle`). */
export function settle(h: HolderAcc, accE36: bigint): void {
  if (h.paidE36 === accE36) return;
  if (h.balance !== 0n) h.accruedE36 += h.balance * (accE36 - h.paidE36);
  h.paidE36 = accE36;
}

/**
 * An ERC-20 balance change of `value` wrapped units (the wrapper's `_update`): both parties are settled at the
 * token's accumulator `accE36` first. `from` null mints, `to` null burns; `from` = `to` is a self-transfer.
 * Throws "ERC20InsufficientBalance" like the contract.
 */
export function transfer(accE36: bigint, from: HolderAcc | null, to: HolderAcc | null, value: bigint): void {
  if (from) settle(from, accE36);
  if (to && to !== from) settle(to, accE36);
  if (from) {
    if (from.balance < value) throw new Error("ERC20InsufficientBalance");
    from.balance -= value;
  }
  if (to) to.balance += value;
}

/** Sats `h` can claim from the wrapper when the token's accumulator is `accE36` (`SeriesWrapper.claimable`). */
export function claimable(h: HolderAcc, accE36: bigint): bigint {
  let accrued = h.accruedE36;
  if (h.balance !== 0n) accrued += h.balance * (accE36 - h.paidE36);
  return accrued / ACC_SCALE;
}

/** A claim (`_claim`): settles, pays the whole sats, keeps the remainder. Returns the sats paid. */
export function claim(h: HolderAcc, accE36: bigint): bigint {
  settle(h, accE36);
  const amount = h.accruedE36 / ACC_SCALE;
  h.accruedE36 -= amount * ACC_SCALE;
  return amount;
}
