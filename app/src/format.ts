/** Display formatting: every amount carries its unit. Exact integer inputs (decimal strings or bigint). */

const group = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** 1439135 → "1,439,135 sats" */
export function sats(v: string | bigint | null | undefined): string {
  if (v === null || v === undefined) return "–";
  const s = BigInt(v);
  return `${s < 0n ? "−" : ""}${group((s < 0n ? -s : s).toString())} sats`;
}

/** 1439135 → "0.01439135 BTC" */
export function btc(v: string | bigint): string {
  const s = BigInt(v);
  const a = s < 0n ? -s : s;
  return `${s < 0n ? "−" : ""}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, "0")} BTC`;
}

/** An integer scaled by 10^decimals as a decimal number with `shown` digits (rounded half up), grouped. */
export function scaled(v: string | bigint, decimals: number, shown: number): string {
  let x = BigInt(v);
  const neg = x < 0n;
  if (neg) x = -x;
  const drop = 10n ** BigInt(decimals - shown);
  x = (x + drop / 2n) / drop;
  const p = 10n ** BigInt(shown);
  const int = group((x / p).toString());
  return `${neg ? "−" : ""}${int}${shown > 0 ? "." + (x % p).toString().padStart(shown, "0") : ""}`;
}

/** USD × 1e8 → "$2,901.36" */
export const usd = (e8: string | bigint | null | undefined) => (e8 === null || e8 === undefined ? "–" : `$${scaled(e8, 8, 2)}`);
/** bps → "97.50 %" */
export const pct = (bps: number | string | null | undefined) => (bps === null || bps === undefined ? "–" : `${scaled(BigInt(bps), 2, 2)} %`);
/** units (TH/s·days) → "64,170 TH/s·days" */
export const units = (v: string | bigint) => `${group(BigInt(v).toString())} TH/s·days`;
/** sats × 1e18 → float (charts only) */
export const e18ToNumber = (v: string | bigint) => Number(BigInt(v) / 10n ** 10n) / 1e8;
/** UTC day number → ISO date */
export const dateOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
/** ISO date → UTC day number */
export const dayOfDate = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
/** 0xabcd…1234 */
export const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** A decimal string of sats with fraction digits (e.g. "1297118.00000000") → whole sats, grouped: "1,297,118 sats". */
export function decSats(v: string | null | undefined, shown = 0): string {
  if (v === null || v === undefined) return "–";
  const [i, f = ""] = v.split(".");
  return `${scaled(BigInt(i + f.padEnd(8, "0").slice(0, 8)), 8, shown)} sats`;
}
