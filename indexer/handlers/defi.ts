/**
 * DeFi handlers: the wrapper factory (wrappers, with the token's accumulator of the series at creation: the share
 * index base `acc0`), each `SeriesWrapper` (accumulating share: balances; the sats paid in by wraps and out by
 * unwraps are checked against `domain/wrapper.ts` at the token's accumulator as of the same log), Morpho Blue
 * (markets whose collateral is a wrapper: totals and borrowers' collateral and borrow shares) and
 * `SeriesValuationOracle`s of the wrappers (their configuration). Values the events carry are checked against the
 * replayed model (`indexer_model_mismatch_total`).
 */
import { zeroFloorSub } from "../../domain/morpho.js";
import * as wrap from "../../domain/wrapper.js";
import type { Batch, MorphoMarketRow, WrapperPositionRow } from "../store/entities.js";
import { accessControlHandlers, jsonArgs, ref, type Handler, type HandlerContext, type PrefetchScope } from "./context.js";
import type { Ev } from "./decode.js";

const ZERO = "0x0000000000000000000000000000000000000000";

/** Appends `ev` to `defi_events`. */
function record(ev: Ev, b: Batch): void {
  b.defiEvents.add({ ...ref(ev), contract: ev.contract, address: ev.address, event: ev.name, args: jsonArgs(ev.args) });
}

/** A handler that only records the event. */
const recordOnly: Handler = { prefetch: () => {}, apply: (ev, b) => record(ev, b) };

const lower = (a: string) => a.toLowerCase();
const marketId = (ev: Ev) => lower(ev.args.id as string);

// ------------------------------------------------------------------ factory
/** `SeriesWrapperFactory` handlers. */
export const wrapperFactoryHandlers: Record<string, Handler> = {
  ...accessControlHandlers,
  WrapperCreated: {
    prefetch(ev, b, scope) {
      b.wrappers.want(ev.args.wrapper);
      b.seriesState.want(ev.args.id);
      scope.wrapperSeries.set(ev.args.wrapper, ev.args.id);
    },
    apply(ev, b) {
      const { id, wrapper } = ev.args;
      const acc0 = b.seriesState.get(id)?.acc_per_unit_e36 ?? 0n;
      b.wrappers.touch(ev.block, [wrapper], () => ({
        address: wrapper, series_id: id, supply: 0n, holders: 0, harvested: 0n, claimed: 0n, acc0_e36: acc0, created_block: ev.block,
      }));
      record(ev, b);
    },
  },
};

// ------------------------------------------------------------------ wrappers
/** Prefetches wrapper `w`, the token's series state of its series (second round) and the given holders. */
function wantWrapper(b: Batch, scope: PrefetchScope, w: string, holders: string[]): void {
  b.wrappers.want(w);
  for (const h of holders) if (h !== ZERO) b.wrapperPositions.want(w, h);
  scope.later.push(() => {
    const id = scope.wrapperSeries.get(w) ?? b.wrappers.get(w)?.series_id;
    if (id !== undefined) b.seriesState.want(id);
  });
}

/** The wrapper of `ev` and its share index as of this log (`acc − acc0`, sats per share × 1e36). */
function wrapperAt(ev: Ev, b: Batch, ctx: HandlerContext) {
  const w = b.wrappers.get(ev.address);
  if (!w) {
    ctx.mismatch(ev, "wrapper", "created by the factory", ev.address);
    return null;
  }
  const acc = b.seriesState.get(w.series_id)?.acc_per_unit_e36 ?? 0n;
  return { w: b.wrappers.touch(ev.block, [ev.address]), index: wrap.indexE36(acc, w.acc0_e36) };
}

const emptyWrapped = (wrapper: string, holder: string, id: bigint) => (): WrapperPositionRow => ({
  wrapper, holder, series_id: id, balance: 0n,
});

/** `SeriesWrapper` handlers (every wrapper of the factory). */
export const wrapperHandlers: Record<string, Handler> = {
  Transfer: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, [ev.args.from, ev.args.to]),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      const { w } = at;
      const { from, to, value } = ev.args;
      const fr = from === ZERO ? null : b.wrapperPositions.touch(ev.block, [ev.address, from], emptyWrapped(ev.address, from, w.series_id));
      const tr = to === ZERO ? null : b.wrapperPositions.touch(ev.block, [ev.address, to], emptyWrapped(ev.address, to, w.series_id));
      const fromBefore = fr?.balance ?? 0n;
      const toBefore = tr?.balance ?? 0n;
      if (fr) {
        if (fr.balance < value) ctx.mismatch(ev, "wrapper balance", fr.balance, value);
        fr.balance -= value;
      }
      if (tr) tr.balance += value;
      if (fr !== tr) {
        if (fr && fromBefore > 0n && fr.balance === 0n) w.holders -= 1;
        if (tr && toBefore === 0n && tr.balance > 0n) w.holders += 1;
      }
      if (!fr) w.supply += value;
      if (!tr) w.supply -= value;
      record(ev, b);
    },
  },
  Harvested: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, []),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      at.w.harvested += ev.args.amount;
      if (at.w.harvested !== ev.args.totalHarvested) ctx.mismatch(ev, "totalHarvested", at.w.harvested, ev.args.totalHarvested);
      record(ev, b);
    },
  },
  Wrapped: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, []),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      if (at.index !== ev.args.indexE36) ctx.mismatch(ev, "wrapper index", at.index, ev.args.indexE36);
      const sats = wrap.wrapCost(ev.args.units, at.index);
      if (sats !== ev.args.sats) ctx.mismatch(ev, "wrap sats", sats, ev.args.sats);
      record(ev, b);
    },
  },
  Unwrapped: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, []),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      if (at.index !== ev.args.indexE36) ctx.mismatch(ev, "wrapper index", at.index, ev.args.indexE36);
      const sats = wrap.unwrapPayout(ev.args.units, at.index);
      if (sats !== ev.args.sats) ctx.mismatch(ev, "unwrap sats", sats, ev.args.sats);
      at.w.claimed += sats;
      record(ev, b);
    },
  },
  // Approval: allowances are not followed
};

// ------------------------------------------------------------------ Morpho Blue
/** A Morpho handler of a followed market (collateral = a wrapper); `users` are the positions it changes. */
function market(users: (ev: Ev) => string[], change: (ev: Ev, b: Batch, m: MorphoMarketRow) => void): Handler {
  return {
    prefetch(ev, b) {
      b.morphoMarkets.want(marketId(ev));
      for (const u of users(ev)) b.morphoPositions.want(marketId(ev), u);
    },
    apply(ev, b) {
      const id = marketId(ev);
      if (!b.morphoMarkets.get(id)) return; // not a market on a wrapper
      change(ev, b, b.morphoMarkets.touch(ev.block, [id]));
      record(ev, b);
    },
  };
}

/** The position of `user` in market `m` (created on first use). */
function morphoPosition(ev: Ev, b: Batch, m: MorphoMarketRow, user: string) {
  return b.morphoPositions.touch(ev.block, [m.id, user], () => ({ market_id: m.id, holder: user, series_id: m.series_id, collateral: 0n, borrow_shares: 0n }));
}

/** Morpho Blue handlers (events of `EventsLib`); only markets whose collateral is a wrapper are followed. */
export const morphoHandlers: Record<string, Handler> = {
  CreateMarket: {
    prefetch(ev, b) {
      b.wrappers.want(lower(ev.args.marketParams.collateralToken));
      b.morphoMarkets.want(marketId(ev));
    },
    apply(ev, b) {
      const p = ev.args.marketParams;
      const w = b.wrappers.get(lower(p.collateralToken));
      if (!w) return; // a market on something else
      const id = marketId(ev);
      b.morphoMarkets.touch(ev.block, [id], () => ({
        id, series_id: w.series_id, loan_token: lower(p.loanToken), collateral_token: lower(p.collateralToken), oracle: lower(p.oracle),
        irm: lower(p.irm), lltv: p.lltv, fee: 0n, total_supply_assets: 0n, total_supply_shares: 0n, total_borrow_assets: 0n,
        total_borrow_shares: 0n, created_block: ev.block,
      }));
      record(ev, b);
    },
  },
  SetFee: market(() => [], (ev, _b, m) => {
    m.fee = ev.args.newFee;
  }),
  AccrueInterest: market(() => [], (ev, _b, m) => {
    m.total_borrow_assets += ev.args.interest;
    m.total_supply_assets += ev.args.interest;
    m.total_supply_shares += ev.args.feeShares;
  }),
  Supply: market(() => [], (ev, _b, m) => {
    m.total_supply_assets += ev.args.assets;
    m.total_supply_shares += ev.args.shares;
  }),
  Withdraw: market(() => [], (ev, _b, m) => {
    m.total_supply_assets -= ev.args.assets;
    m.total_supply_shares -= ev.args.shares;
  }),
  Borrow: market((ev) => [ev.args.onBehalf], (ev, b, m) => {
    m.total_borrow_assets += ev.args.assets;
    m.total_borrow_shares += ev.args.shares;
    morphoPosition(ev, b, m, ev.args.onBehalf).borrow_shares += ev.args.shares;
  }),
  Repay: market((ev) => [ev.args.onBehalf], (ev, b, m) => {
    m.total_borrow_shares -= ev.args.shares;
    m.total_borrow_assets = zeroFloorSub(m.total_borrow_assets, ev.args.assets);
    morphoPosition(ev, b, m, ev.args.onBehalf).borrow_shares -= ev.args.shares;
  }),
  SupplyCollateral: market((ev) => [ev.args.onBehalf], (ev, b, m) => {
    morphoPosition(ev, b, m, ev.args.onBehalf).collateral += ev.args.assets;
  }),
  WithdrawCollateral: market((ev) => [ev.args.onBehalf], (ev, b, m) => {
    morphoPosition(ev, b, m, ev.args.onBehalf).collateral -= ev.args.assets;
  }),
  Liquidate: market((ev) => [ev.args.borrower], (ev, b, m) => {
    const a = ev.args;
    const p = morphoPosition(ev, b, m, a.borrower);
    p.borrow_shares -= a.repaidShares + a.badDebtShares;
    p.collateral -= a.seizedAssets;
    m.total_borrow_shares -= a.repaidShares + a.badDebtShares;
    m.total_borrow_assets = zeroFloorSub(m.total_borrow_assets, a.repaidAssets) - a.badDebtAssets;
    m.total_supply_assets -= a.badDebtAssets;
  }),
  // SetOwner, SetFeeRecipient, EnableIrm, EnableLltv, FlashLoan, SetAuthorization, IncrementNonce: not followed
};

// ------------------------------------------------------------------ valuation oracles
/** `SeriesValuationOracle` handlers: `Configured` of an oracle of one of the factory's wrappers, and its `DayRecorded`. */
export const valuationOracleHandlers: Record<string, Handler> = {
  Configured: {
    prefetch(ev, b) {
      b.valuationOracles.want(ev.address);
      b.wrappers.want(lower(ev.args.config.wrapper));
    },
    apply(ev, b, ctx) {
      const c = ev.args.config;
      if (!b.wrappers.get(lower(c.wrapper))) return; // not an oracle of one of our wrappers
      if (ctx.contracts.oracle && lower(c.hashpriceOracle) !== ctx.contracts.oracle) return;
      b.valuationOracles.touch(ev.block, [ev.address], () => ({
        address: ev.address, series_id: ev.args.seriesId, wrapper: lower(c.wrapper), hashprice_oracle: lower(c.hashpriceOracle),
        loan_token: lower(c.loanToken), loan_decimals: Number(ev.args.loanDecimals), window_days: Number(c.windowDays),
        haircut_bps: Number(c.haircutBps), max_age_days: Number(c.maxAgeDays), grace_days: Number(c.graceDays), decay_days: Number(c.decayDays),
        max_growth_bps_per_day: Number(c.maxGrowthBpsPerDay), first_day: Number(c.firstDay), latest_day: 0, recorded_block: null, days_used: null,
        remaining_days: null, halving_day: null, post_halving_days: null, avg_net_e18: null, avg_net_halved_e18: null, bound_e18: null,
        raw_value_e18: null, unit_value_e18: null,
      }));
      record(ev, b);
    },
  },
  DayRecorded: {
    prefetch: (ev, b) => b.valuationOracles.want(ev.address),
    apply(ev, b, ctx) {
      if (!b.valuationOracles.get(ev.address)) return; // an oracle we do not follow
      const o = b.valuationOracles.touch(ev.block, [ev.address]);
      const v = ev.args.v;
      if (o.latest_day !== 0 && Number(v.day) !== o.latest_day + 1) ctx.mismatch(ev, "oracle day order", o.latest_day + 1, v.day);
      Object.assign(o, {
        latest_day: Number(v.day), recorded_block: ev.block, days_used: Number(v.daysUsed), remaining_days: Number(v.remainingDays),
        halving_day: Number(v.halvingDay), post_halving_days: Number(v.postHalvingDays), avg_net_e18: v.avgNetE18, avg_net_halved_e18: v.avgNetHalvedE18,
        bound_e18: v.boundE18, raw_value_e18: v.rawValueE18, unit_value_e18: v.unitValueE18,
      });
      record(ev, b);
    },
  },
};
