/**
 * Morpho Blue's share and health math (`SharesMathLib`, `MathLib`, `Morpho._isHealthy`), bit-identical, for the
 * positions held with wrapped series units as collateral. Amounts: loan-token base units (sats for WBTC);
 * collateral: wrapped units (0 decimals); `lltv` WAD (1e18 = 100 %); oracle price: loan base units per unit × 1e36.
 *   toAssetsUp(shares)  = ceil(shares · (totalAssets + 1) / (totalShares + 1e6))      (virtual assets / shares)
 *   maxBorrow           = floor(floor(collateral · price / 1e36) · lltv / 1e18)
 *   healthy             = borrowShares = 0  or  maxBorrow ≥ toAssetsUp(borrowShares)
 */
export const WAD = 10n ** 18n;
export const ORACLE_PRICE_SCALE = 10n ** 36n;
export const VIRTUAL_SHARES = 10n ** 6n;
export const VIRTUAL_ASSETS = 1n;

/** A market's stored totals (`market(id)`, before interest not yet accrued). */
export interface MarketTotals {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
}

/** `SharesMathLib.toAssetsUp`. */
export function toAssetsUp(shares: bigint, totalAssets: bigint, totalShares: bigint): bigint {
  const num = shares * (totalAssets + VIRTUAL_ASSETS);
  const d = totalShares + VIRTUAL_SHARES;
  return (num + d - 1n) / d;
}

/** `UtilsLib.zeroFloorSub`: max(x − y, 0). */
export function zeroFloorSub(x: bigint, y: bigint): bigint {
  return x > y ? x - y : 0n;
}

/** A borrower's position against its collateral at oracle price `price` (null: the oracle cannot price now). */
export interface Health {
  /** borrow shares rounded up to assets at the stored totals */
  borrowedAssets: bigint;
  /** collateral · price / 1e36 (floor), loan base units */
  collateralValue: bigint | null;
  /** collateralValue · lltv / 1e18 (floor) */
  maxBorrow: bigint | null;
  /** borrowed / collateralValue in bps, rounded UP (a position past the LLTV never shows ≤ it); null without a price
   *  or with a value of 0 */
  ltvBps: bigint | null;
  /** Morpho's `_isHealthy` (null without a price and with debt) */
  healthy: boolean | null;
}

/** Morpho's health rule for (`collateral`, `borrowShares`) in a market with `totals`, `lltv` and `price`. */
export function health(collateral: bigint, borrowShares: bigint, totals: MarketTotals, lltv: bigint, price: bigint | null): Health {
  const borrowedAssets = toAssetsUp(borrowShares, totals.totalBorrowAssets, totals.totalBorrowShares);
  if (price === null) return { borrowedAssets, collateralValue: null, maxBorrow: null, ltvBps: null, healthy: borrowShares === 0n ? true : null };
  const collateralValue = (collateral * price) / ORACLE_PRICE_SCALE;
  const maxBorrow = (collateralValue * lltv) / WAD;
  return {
    borrowedAssets,
    collateralValue,
    maxBorrow,
    ltvBps: collateralValue === 0n ? null : (borrowedAssets * 10_000n + collateralValue - 1n) / collateralValue,
    healthy: borrowShares === 0n || maxBorrow >= borrowedAssets,
  };
}
