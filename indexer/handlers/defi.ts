/**
 * DeFi handlers: the wrapper factory (wrappers), each `SeriesWrapper` (wrapped balances and yield checkpoints,
 * replayed with `domain/wrapper.ts` against the token's accumulator as of the same log), Morpho Blue (markets whose
 * collateral is a wrapper: totals and borrowers' collateral and borrow shares), the `MorphoCollateralAdapter`
 * (pools and records, replayed with `domain/adapter.ts`) and `SeriesValuationOracle`s of the token (their
 * configuration). Values the events carry are checked against the replayed model (`indexer_model_mismatch_total`).
 */
import * as adapter from "../domain/adapter.js";
import type { HolderAcc } from "../domain/accumulator.js";
import { zeroFloorSub } from "../domain/morpho.js";
import * as wrap from "../domain/wrapper.js";
import type { AdapterAccountRow, AdapterPoolRow, Batch, MorphoMarketRow, WrapperPositionRow } from "../store/entities.js";
import { accessControlHandlers, adminHandler, jsonArgs, ref, type Handler, type HandlerContext, type PrefetchScope } from "./context.js";
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
      scope.wrapperSeries.set(ev.args.wrapper, ev.args.id);
    },
    apply(ev, b) {
      const { id, wrapper } = ev.args;
      b.wrappers.touch(ev.block, [wrapper], () => ({
        address: wrapper, series_id: id, supply: 0n, holders: 0, harvested: 0n, claimed: 0n, created_block: ev.block,
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

/** The wrapper of `ev` and the token's accumulator of its series as of this log (sats per unit × 1e36). */
function wrapperAt(ev: Ev, b: Batch, ctx: HandlerContext) {
  const w = b.wrappers.get(ev.address);
  if (!w) {
    ctx.mismatch(ev, "wrapper", "created by the factory", ev.address);
    return null;
  }
  return { w: b.wrappers.touch(ev.block, [ev.address]), acc: b.seriesState.get(w.series_id)?.acc_per_unit_e36 ?? 0n };
}

const emptyWrapped = (wrapper: string, holder: string, id: bigint) => (): WrapperPositionRow => ({
  wrapper, holder, series_id: id, balance: 0n, paid_e36: 0n, accrued_e36: 0n, claimed: 0n,
});

/** Row ↔ domain holder view. */
const holderOf = (r: WrapperPositionRow): HolderAcc => ({ balance: r.balance, paidE36: r.paid_e36, accruedE36: r.accrued_e36 });
function store(r: WrapperPositionRow, h: HolderAcc): void {
  r.balance = h.balance;
  r.paid_e36 = h.paidE36;
  r.accrued_e36 = h.accruedE36;
}

/** `SeriesWrapper` handlers (every wrapper of the factory). */
export const wrapperHandlers: Record<string, Handler> = {
  Transfer: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, [ev.args.from, ev.args.to]),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      const { w, acc } = at;
      const { from, to, value } = ev.args;
      const fr = from === ZERO ? null : b.wrapperPositions.touch(ev.block, [ev.address, from], emptyWrapped(ev.address, from, w.series_id));
      const tr = to === ZERO ? null : b.wrapperPositions.touch(ev.block, [ev.address, to], emptyWrapped(ev.address, to, w.series_id));
      const fromBefore = fr?.balance ?? 0n;
      const toBefore = tr?.balance ?? 0n;
      const fh = fr ? holderOf(fr) : null;
      const th = tr === fr ? fh : tr ? holderOf(tr) : null;
      wrap.transfer(acc, fh, th, value);
      if (fr && fh) store(fr, fh);
      if (tr && th) store(tr, th);
      if (fr !== tr) {
        if (fr && fromBefore > 0n && fr.balance === 0n) w.holders -= 1;
        if (tr && toBefore === 0n && tr.balance > 0n) w.holders += 1;
      }
      if (!fr) w.supply += value;
      if (!tr) w.supply -= value;
      record(ev, b);
    },
  },
  Claimed: {
    prefetch: (ev, b, scope) => wantWrapper(b, scope, ev.address, [ev.args.holder]),
    apply(ev, b, ctx) {
      const at = wrapperAt(ev, b, ctx);
      if (!at) return;
      const { w, acc } = at;
      const { holder, amount } = ev.args;
      const r = b.wrapperPositions.touch(ev.block, [ev.address, holder], emptyWrapped(ev.address, holder, w.series_id));
      const h = holderOf(r);
      const paid = wrap.claim(h, acc);
      if (paid !== amount) ctx.mismatch(ev, "wrapper claim", paid, amount);
      store(r, h);
      r.claimed += amount;
      w.claimed += amount;
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
  ClaimerSet: {
    prefetch: (ev, b) => b.kv.want("wrapper", `${ev.address}:claimer:${ev.args.holder}`),
    apply(ev, b) {
      const key = `${ev.address}:claimer:${ev.args.holder}`;
      b.kv.touch(ev.block, ["wrapper", key], () => ({ contract: "wrapper", key, value: "" })).value = ev.args.claimer;
      record(ev, b);
    },
  },
  Wrapped: recordOnly,
  Unwrapped: recordOnly,
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

// ------------------------------------------------------------------ collateral adapter
const marketKey = (id: string) => `market:${id}`;

/** Prefetches the adapter's record of (`ev`'s market, `user`), and the market's wrapper pool (second round). */
function wantRecord(ev: Ev, b: Batch, scope: PrefetchScope, user: string): void {
  const id = marketId(ev);
  b.kv.want("adapter", marketKey(id));
  b.adapterAccounts.want(id, user);
  scope.later.push(() => {
    const w = scope.adapterMarkets.get(id) ?? b.kv.get("adapter", marketKey(id))?.value;
    if (w) {
      b.adapterPools.want(w);
      b.wrappers.want(w);
    }
  });
}

const poolOf = (r: AdapterPoolRow): adapter.AdapterPool => ({
  totalRecorded: r.total_recorded, accPerUnitE36: r.acc_per_unit_e36, carryE36: r.carry_e36, unallocatedE36: r.unallocated_e36,
  received: r.received, paid: r.paid,
});
function storePool(r: AdapterPoolRow, p: adapter.AdapterPool): void {
  r.total_recorded = p.totalRecorded;
  r.acc_per_unit_e36 = p.accPerUnitE36;
  r.carry_e36 = p.carryE36;
  r.unallocated_e36 = p.unallocatedE36;
  r.received = p.received;
  r.paid = p.paid;
}
const emptyPoolRow = (wrapper: string) => (): AdapterPoolRow => ({
  wrapper, total_recorded: 0n, acc_per_unit_e36: 0n, carry_e36: 0n, unallocated_e36: 0n, received: 0n, paid: 0n,
});

/** The record of (`ev`'s market, `user`) and its pool, as mutable rows with their domain views. */
function recordOf(ev: Ev, b: Batch, ctx: HandlerContext, user: string) {
  const id = marketId(ev);
  const wrapper = b.kv.get("adapter", marketKey(id))?.value;
  const w = wrapper ? b.wrappers.get(wrapper) : undefined;
  if (!wrapper || !w) {
    ctx.mismatch(ev, "adapter market", "registered, on a wrapper of the factory", id);
    return null;
  }
  const pr = b.adapterPools.touch(ev.block, [wrapper], emptyPoolRow(wrapper));
  const ar = b.adapterAccounts.touch(ev.block, [id, user], (): AdapterAccountRow => ({
    market_id: id, holder: user, wrapper, series_id: w.series_id, collateral: 0n, paid_e36: 0n, accrued_e36: 0n, claimed: 0n,
  }));
  const p = poolOf(pr);
  const a: adapter.AdapterAccount = { collateral: ar.collateral, paidE36: ar.paid_e36, accruedE36: ar.accrued_e36 };
  return {
    pr, ar, p, a,
    save() {
      storePool(pr, p);
      ar.collateral = a.collateral;
      ar.paid_e36 = a.paidE36;
      ar.accrued_e36 = a.accruedE36;
    },
  };
}

/** `MorphoCollateralAdapter` handlers. */
export const adapterHandlers: Record<string, Handler> = {
  MarketRegistered: {
    prefetch(ev, b, scope) {
      b.kv.want("adapter", marketKey(marketId(ev)));
      scope.adapterMarkets.set(marketId(ev), ev.args.wrapper);
    },
    apply(ev, b) {
      const key = marketKey(marketId(ev));
      b.kv.touch(ev.block, ["adapter", key], () => ({ contract: "adapter", key, value: "" })).value = ev.args.wrapper;
      record(ev, b);
    },
  },
  Harvested: {
    prefetch(ev, b, scope) {
      b.adapterPools.want(ev.args.wrapper);
      if (scope.contracts.morpho) b.wrapperPositions.want(ev.args.wrapper, scope.contracts.morpho);
    },
    apply(ev, b, ctx) {
      const { wrapper, amount, accPerUnitE36, unallocated, recorded, held } = ev.args;
      const pr = b.adapterPools.touch(ev.block, [wrapper], emptyPoolRow(wrapper));
      const p = poolOf(pr);
      if (p.totalRecorded !== recorded) ctx.mismatch(ev, "adapter recorded", p.totalRecorded, recorded);
      const morpho = ctx.contracts.morpho;
      const heldModel = morpho ? (b.wrapperPositions.get(wrapper, morpho)?.balance ?? 0n) : held;
      if (heldModel !== held) ctx.mismatch(ev, "wrapped units held by Morpho", heldModel, held);
      const u = adapter.harvest(p, amount, held);
      if (p.accPerUnitE36 !== accPerUnitE36) ctx.mismatch(ev, "adapter accPerUnitE36", p.accPerUnitE36, accPerUnitE36);
      if (u !== unallocated) ctx.mismatch(ev, "adapter unallocated", u, unallocated);
      storePool(pr, p);
      record(ev, b);
    },
  },
  CollateralSynced: {
    prefetch: (ev, b, scope) => wantRecord(ev, b, scope, ev.args.user),
    apply(ev, b, ctx) {
      const r = recordOf(ev, b, ctx, ev.args.user);
      if (!r) return;
      const { oldUnits, newUnits, totalRecorded } = ev.args;
      if (r.a.collateral !== oldUnits) ctx.mismatch(ev, "adapter record", r.a.collateral, oldUnits);
      adapter.sync(r.p, r.a, newUnits);
      if (r.p.totalRecorded !== totalRecorded) ctx.mismatch(ev, "adapter totalRecorded", r.p.totalRecorded, totalRecorded);
      r.save();
      record(ev, b);
    },
  },
  Claimed: {
    prefetch: (ev, b, scope) => wantRecord(ev, b, scope, ev.args.user),
    apply(ev, b, ctx) {
      const r = recordOf(ev, b, ctx, ev.args.user);
      if (!r) return;
      const paid = adapter.claim(r.p, r.a);
      if (paid !== ev.args.amount) ctx.mismatch(ev, "adapter claim", paid, ev.args.amount);
      r.save();
      r.ar.claimed += ev.args.amount;
      record(ev, b);
    },
  },
  UnallocatedSwept: {
    prefetch: (ev, b) => b.adapterPools.want(ev.args.wrapper),
    apply(ev, b, ctx) {
      const pr = b.adapterPools.touch(ev.block, [ev.args.wrapper], emptyPoolRow(ev.args.wrapper));
      const p = poolOf(pr);
      const swept = adapter.sweep(p);
      if (swept !== ev.args.amount) ctx.mismatch(ev, "adapter swept", swept, ev.args.amount);
      storePool(pr, p);
      record(ev, b);
    },
  },
  CollateralSupplied: recordOnly,
  CollateralWithdrawn: recordOnly,
  OwnershipTransferStarted: adminHandler((ev) => [["pendingOwner", ev.args.newOwner]]),
  OwnershipTransferred: adminHandler((ev) => [["owner", ev.args.newOwner]]),
};

// ------------------------------------------------------------------ valuation oracles
/** `SeriesValuationOracle` handlers: `Configured` of an oracle of the indexed token (and hash-price oracle). */
export const valuationOracleHandlers: Record<string, Handler> = {
  Configured: {
    prefetch: (ev, b) => b.valuationOracles.want(ev.address),
    apply(ev, b, ctx) {
      const c = ev.args.config;
      if (lower(c.token) !== ctx.contracts.token) return; // another token's oracle
      if (ctx.contracts.oracle && lower(c.hashpriceOracle) !== ctx.contracts.oracle) return;
      b.valuationOracles.touch(ev.block, [ev.address], () => ({
        address: ev.address, series_id: ev.args.seriesId, hashprice_oracle: lower(c.hashpriceOracle), quote: Number(c.quote),
        loan_token: lower(c.loanToken), loan_decimals: Number(ev.args.loanDecimals), btc_usd_feed: lower(c.btcUsdFeed),
        feed_heartbeat: Number(c.feedHeartbeat), window_days: Number(c.windowDays), haircut_bps: Number(c.haircutBps),
        max_age_days: Number(c.maxAgeDays), halving_day: Number(c.halvingDay),
      }));
      record(ev, b);
    },
  },
};
