/**
 * Units and fixed-point scales shared by the contracts, the reporter, the indexer and the tests.
 *
 * - token unit: one TH/s·day; day: UTC day number = unix seconds / 86400;
 * - payout amounts: sats (base units of the 8-decimal payout asset);
 * - per-TH/s·day values: sats × 1e18 (`E18`); token accumulator: sats per unit × 1e36 (`E36`);
 * - fees and uptime: basis points (`Bps`, 10_000 = 100 %); BTC/USD × 1e8 (`E8`, Chainlink's 8 decimals).
 */
export const SECONDS_PER_DAY = 86_400n;
export const BPS = 10_000n;
export const E8 = 10n ** 8n;
export const E18 = 10n ** 18n;
export const ACC_SCALE = 10n ** 36n;

/** UTC day number of a unix timestamp in seconds. */
export function dayOfTimestamp(seconds: bigint | number): number {
  return Number(BigInt(seconds) / SECONDS_PER_DAY);
}

/** UTC day number of an ISO date `YYYY-MM-DD`. Throws on a malformed date. */
export function dayOfDate(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`invalid date "${date}": expected YYYY-MM-DD`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`invalid date "${date}"`);
  return ms / 86_400_000;
}

/** ISO date `YYYY-MM-DD` of a UTC day number. */
export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Parses a non-negative decimal string into an integer scaled by 10^decimals, truncating extra digits
 * (exact: no floating point). Throws on anything that is not a plain decimal number.
 */
export function parseDecimal(value: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new Error(`invalid decimal "${value}"`);
  const frac = (m[2] ?? "").padEnd(decimals, "0").slice(0, decimals);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(frac === "" ? "0" : frac);
}

/** Formats an integer scaled by 10^decimals as a decimal string with `shown` fraction digits (truncated). */
export function formatScaled(value: bigint, decimals: number, shown = decimals): string {
  const neg = value < 0n;
  const v = neg ? -value : value;
  const s = 10n ** BigInt(decimals);
  const int = v / s;
  const frac = (v % s).toString().padStart(decimals, "0").slice(0, shown);
  return `${neg ? "-" : ""}${int}${shown > 0 ? "." + frac : ""}`;
}

/** Formats an integer scaled by 10^decimals with `shown` fraction digits, rounded half up (for display). */
export function formatRounded(value: bigint, decimals: number, shown: number): string {
  const drop = 10n ** BigInt(decimals - shown);
  const half = drop / 2n;
  const r = ((value < 0n ? value - half : value + half) / drop) * drop;
  return formatScaled(r, decimals, shown);
}
