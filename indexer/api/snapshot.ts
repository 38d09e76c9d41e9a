/**
 * Per-block read caches of the API. Everything here is a pure function of (block N, reorg epoch): the series
 * (terms + state + debt) as of N, the UTC day of N, and each series' valuation inputs as of N. Hot queries
 * (account, holders) then need one SQL statement, which also returns the checkpoint it saw, so rows and cached
 * values always describe the same block.
 */
import type { IndexerContext } from "../context.js";
import { perThDay } from "../../domain/settlement.js";
import { dayOfTimestamp } from "../../domain/units.js";
import { TRAILING_LONG, trailingMean } from "../../domain/yield.js";
import { accruedE18, serve } from "../../domain/valuation.js";

type Served = ReturnType<typeof serve>;

type Row = Record<string, any>;

/** Versioned-row condition at block `n`. */
export const at = (a: string, n: number) => `${a}.block_from <= ${n} AND (${a}.block_to IS NULL OR ${a}.block_to > ${n})`;

/** Series terms + state + debt at block `n` (one row per series). */
export const SERIES_AT = (n: number) => `
  SELECT t.*, s.supply, s.minted, s.acc_per_unit_e36, s.carry_e36, s.distributed, s.repaid, s.claimed, s.holders,
    s.days_distributed, COALESCE(d.debt, 0) AS debt
  FROM series t
  JOIN series_state s ON s.series_id = t.id AND ${at("s", n)}
  LEFT JOIN series_debt d ON d.series_id = t.id AND ${at("d", n)}
  WHERE ${at("t", n)}`;

/** Inputs of a position valuation for one series at one block. */
export interface ValuationInput {
  today: number;
  /** trailing net yield per TH/s·day, sats × 1e18 */
  net: bigint;
  source: "settlements" | "oracle" | "none";
  days: number;
  windowEnd: number | null;
  btcUsdE8: bigint | null;
}

/** Creates the caches of one API instance. */
export function createSnapshots(ctx: IndexerContext, keep = 32) {
  const cache = new Map<string, Promise<unknown>>();
  /** Caches `f()` under `key` for the current reorg epoch; dropped if a reorg happens while it computes. */
  function memo<T>(key: string, f: () => Promise<T>): Promise<T> {
    const epoch = ctx.state.reorgs;
    const k = `${epoch}:${key}`;
    let p = cache.get(k) as Promise<T> | undefined;
    if (!p) {
      p = f();
      const drop = () => cache.get(k) === p && cache.delete(k);
      p.then(() => ctx.state.reorgs !== epoch && drop(), drop);
      cache.set(k, p);
      if (cache.size > keep * 8) cache.delete(cache.keys().next().value!);
    }
    return p;
  }

  /** UTC day of block `n` (checkpoint, stored headers, or the node). */
  function dayAt(n: number): Promise<number> {
    const cp = ctx.state.checkpoint;
    if (cp && cp.number === n) return Promise.resolve(dayOfTimestamp(cp.timestamp));
    return memo(`day:${n}`, async () => {
      const [row] = await ctx.db.query("SELECT timestamp FROM blocks WHERE number = $1", [n]);
      if (row) return dayOfTimestamp(Number(row.timestamp));
      const b = await ctx.rpc.getBlock(n);
      if (!b) throw new Error(`block ${n} not found on the node`);
      return dayOfTimestamp(b.timestamp);
    });
  }

  /** Every series at block `n`, by id. */
  function seriesAt(n: number): Promise<Map<string, Row>> {
    return memo(`series:${n}`, async () => {
      const rows = await ctx.db.query(SERIES_AT(n));
      return new Map(rows.map((r) => [String(r.id), r]));
    });
  }

  /** Latest final oracle report on or before `day`, as of block `n`. */
  function reportAt(n: number, day: number): Promise<Row | null> {
    return memo(`report:${n}:${day}`, async () => {
      const [r] = await ctx.db.query(
        `SELECT t.day, t.hashprice_e18, t.btc_usd_e8 FROM daily_reports t
         WHERE t.status = 'final' AND t.day <= $1 AND ${at("t", n)} ORDER BY t.day DESC LIMIT 1`,
        [day],
      );
      return r ?? null;
    });
  }

  /**
   * Valuation inputs of series `id` at block `n`: the 30-day trailing mean of its settled net per TH/s·day (window
   * ending at its last settled day, looked for in the 60 days up to today); without settlements, its formula on
   * the latest final report at full uptime; else none.
   */
  function valuationAt(n: number, id: string): Promise<ValuationInput> {
    return memo(`val:${n}:${id}`, async () => {
      const today = await dayAt(n);
      const s = (await seriesAt(n)).get(id);
      const report = await reportAt(n, today);
      const btcUsdE8 = report ? BigInt(report.btc_usd_e8) : null;
      const rows = await ctx.db.query(
        `SELECT t.day, t.net_e18 FROM settlements t
         WHERE t.series_id = $1::numeric AND t.day <= $2 AND t.day > $2 - ${2 * TRAILING_LONG} AND t.block_number <= ${n}`,
        [id, today],
      );
      if (rows.length > 0) {
        const m = new Map<number, bigint>(rows.map((r) => [r.day as number, BigInt(r.net_e18)]));
        const end = Math.max(...m.keys());
        const t = trailingMean(m, end, TRAILING_LONG);
        return { today, net: t.mean ?? 0n, source: "settlements", days: t.days, windowEnd: end, btcUsdE8 };
      }
      if (report && s) {
        const p = perThDay(
          {
            termDays: s.term_days, efficiencyJPerThE3: Number(s.efficiency_j_per_th_e3), poolFeeBps: s.pool_fee_bps,
            slaBps: s.sla_bps, powerCostUsdPerKWhE6: Number(s.power_cost_usd_per_kwh_e6),
            serviceFeeUsdPerThDayE6: Number(s.service_fee_usd_per_th_day_e6),
          },
          BigInt(report.hashprice_e18), 10_000, btcUsdE8!,
        );
        return { today, net: p.netE18, source: "oracle", days: 0, windowEnd: report.day, btcUsdE8 };
      }
      return { today, net: 0n, source: "none", days: 0, windowEnd: null, btcUsdE8 };
    });
  }

  /**
   * DeFi state at block `n` (small tables: one row per wrapper, market, pool, oracle): wrappers by address and by
   * series, followed Morpho markets, and the valuation oracles of the wrappers.
   */
  function defiAt(n: number): Promise<DefiSnapshot> {
    return memo(`defi:${n}`, async () => {
      const [wrappers, markets, oracles] = await Promise.all([
        ctx.db.query(`SELECT t.* FROM wrappers t WHERE ${at("t", n)}`),
        ctx.db.query(`SELECT t.* FROM morpho_markets t WHERE ${at("t", n)}`),
        ctx.db.query(`SELECT t.* FROM valuation_oracles t WHERE ${at("t", n)} ORDER BY t.address`),
      ]);
      return {
        wrappers: new Map(wrappers.map((r) => [r.address as string, r])),
        wrapperOfSeries: new Map(wrappers.map((r) => [String(r.series_id), r])),
        markets: new Map(markets.map((r) => [r.id as string, r])),
        oracles: new Map(oracles.map((r) => [r.address as string, r])),
      };
    });
  }

  /** BTC/USD × 1e8 of the hash-price oracle's latest final day at block `n` (null: none). */
  function btcUsdAt(n: number): Promise<bigint | null> {
    return memo(`btcusd:${n}`, async () => {
      const [r] = await ctx.db.query(
        `SELECT t.btc_usd_e8 FROM daily_reports t WHERE t.status = 'final' AND ${at("t", n)} ORDER BY t.day DESC LIMIT 1`,
      );
      return r ? BigInt(r.btc_usd_e8) : null;
    });
  }

  /**
   * What valuation oracle `address` serves at block `n` (`valuation()`: the latest recorded unit value after the
   * stale policy, plus the share's accrued sats = (series accumulator − wrapper acc0) / 1e18); null for an unknown
   * oracle. `served` is null before its first recorded day (`price()` reverts NoOracleData).
   */
  function lendingAt(n: number, address: string): Promise<{ o: Row; served: Served | null; accruedE18: bigint; today: number; btcUsdE8: bigint | null } | null> {
    return memo(`lending:${n}:${address}`, async () => {
      const d = await defiAt(n);
      const o = d.oracles.get(address);
      const s = o && (await seriesAt(n)).get(String(o.series_id));
      if (!o || !s) return null;
      const today = await dayAt(n);
      const w = d.wrappers.get(o.wrapper);
      const acc = BigInt(s.acc_per_unit_e36);
      const acc0 = BigInt(w?.acc0_e36 ?? 0);
      const accrued = accruedE18(acc > acc0 ? acc - acc0 : 0n);
      const served =
        Number(o.latest_day) === 0
          ? null
          : serve(
              {
                terms: { startDay: s.start_day, termDays: s.term_days } as never, loanDecimals: o.loan_decimals, maxAgeDays: o.max_age_days,
                graceDays: o.grace_days, decayDays: o.decay_days,
              },
              Number(o.latest_day), BigInt(o.unit_value_e18), today, accrued,
            );
      return { o, served, accruedE18: accrued, today, btcUsdE8: await btcUsdAt(n) };
    });
  }

  return { dayAt, seriesAt, valuationAt, defiAt, lendingAt };
}

/** DeFi rows at one block (see `defiAt`). */
export interface DefiSnapshot {
  wrappers: Map<string, Row>;
  wrapperOfSeries: Map<string, Row>;
  markets: Map<string, Row>;
  oracles: Map<string, Row>;
}

/** The API's caches. */
export type Snapshots = ReturnType<typeof createSnapshots>;
