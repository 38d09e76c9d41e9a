/**
 * The hashprice formula, exactly as `HashpriceOracle.computeHashpriceE18` computes it on-chain.
 *
 * Source: shared/data/README.md (copied to data/README.md):
 *   sats_per_TH_day = (subsidy + fees_per_block) · 1e8 · 86400 · 1e12 / (difficulty · 2^32)
 * with difficulty = 0xFFFF · 2^208 / target (Bitcoin Core `GetDifficulty`), target decoded from the header's
 * compact `nBits`. Substituting gives an integer formula with one floor division:
 *   hashpriceE18 = rewardSats · 86400 · 1e12 · 1e18 · target / (0xFFFF · 2^240)
 */
import { E18 } from "./units.js";

const MAX_TARGET_NUMERATOR = 0xffffn << 240n; // 0xFFFF · 2^208 · 2^32

/** Decodes Bitcoin's compact `nBits` into the 256-bit target. Throws on a negative, zero or overflowing target. */
export function targetFromBits(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new Error(`invalid bits ${bits}`);
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if (bits & 0x00800000 || mantissa === 0) throw new Error(`invalid bits 0x${bits.toString(16)}`);
  const target = exponent <= 3 ? BigInt(mantissa) >> BigInt(8 * (3 - exponent)) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target === 0n || target >= 1n << 256n) throw new Error(`invalid bits 0x${bits.toString(16)}`);
  return target;
}

/** Network difficulty of `bits` as a float (display only; the formula uses the exact target). */
export function difficultyFromBits(bits: number): number {
  return Number((0xffffn << 208n) * 10n ** 6n / targetFromBits(bits)) / 1e6;
}

/**
 * Gross hashprice in sats per TH/s per day × 1e18, from a header's `bits`, the block subsidy and the mean fees
 * per block (sats). Floor division, bit-identical to the contract. Throws on invalid bits.
 */
export function hashpriceE18(bits: number, subsidySats: bigint, feesPerBlockSats: bigint): bigint {
  const reward = subsidySats + feesPerBlockSats;
  return (reward * 86_400n * 10n ** 12n * E18 * targetFromBits(bits)) / MAX_TARGET_NUMERATOR;
}
