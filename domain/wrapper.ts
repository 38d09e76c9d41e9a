/**
 * The accounting of `SeriesWrapper.sol`, the accumulating share of a series (1 share = 1 unit of 1 TH/s·day +
 * `index` sats), bit-identical to the contract. The index is the token's accumulator of the series (sats per unit
 * × 1e36) since the wrapper was created:
 *   indexE36     = acc − acc0                          (`indexE36`)
 *   wrap n       : pays in  ceil(n · indexE36 / 1e36)  (`previewWrap`)
 *   unwrap n     : pays out floor(n · indexE36 / 1e36) (`previewUnwrap`; also what n shares carry, in sats)
 * A share transfer is a plain ERC-20 transfer: nothing to settle.
 */
import { ACC_SCALE } from "./units.js";

/** The share index, sats per share × 1e36: the token's accumulator `accE36` minus the wrapper's `acc0E36`. */
export function indexE36(accE36: bigint, acc0E36: bigint): bigint {
  return accE36 > acc0E36 ? accE36 - acc0E36 : 0n;
}

/** Sats `wrap(units)` pulls at `index` (rounded up, in the wrapper's favour). */
export function wrapCost(units: bigint, index: bigint): bigint {
  return (units * index + ACC_SCALE - 1n) / ACC_SCALE;
}

/** Sats `unwrap(units)` pays at `index` (rounded down): the accrued sats `units` shares carry. */
export function unwrapPayout(units: bigint, index: bigint): bigint {
  return (units * index) / ACC_SCALE;
}
