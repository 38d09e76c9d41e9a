/**
 * Settlement (`ISettlement`) handlers: farm payout balances and collateral per asset, per-series debt, and every
 * series-day settlement with its full Breakdown.
 */
import type { Batch, FarmPoolRow } from "../store/entities.js";
import { accessControlHandlers, adminHandler, ref, type Handler } from "./context.js";
import type { Ev } from "./decode.js";

const emptyPool = (farm: string, asset: string) => (): FarmPoolRow => ({
  farm, asset, payout_balance: 0n, collateral: 0n, deposited: 0n, funding_withdrawn: 0n, collateral_posted: 0n,
  collateral_withdrawn: 0n, paid_from_balance: 0n, slashed: 0n, debt_repaid: 0n,
});

/** A handler of one pool flow event (`farm`, `asset`, `amount`, and `from` or `to`). */
function flow(kind: string, change: (p: FarmPoolRow, amount: bigint) => void): Handler {
  return {
    prefetch: (ev, b) => b.farmPools.want(ev.args.farm, ev.args.asset),
    apply(ev, b) {
      const { farm, asset, amount } = ev.args;
      change(b.farmPools.touch(ev.block, [farm, asset], emptyPool(farm, asset)), amount);
      b.farmFlows.add({ ...ref(ev), farm, asset, kind, counterparty: ev.args.from ?? ev.args.to, series_id: null, amount });
    },
  };
}

/** Prefetches the pool of (`farm`, payout asset of series `id`), which is known only once the series is loaded. */
function wantSeriesPool(ev: Ev, b: Batch, scope: { seriesAssets: Map<bigint, string>; later: (() => void)[] }) {
  const { id, farm } = ev.args;
  b.series.want(id);
  scope.later.push(() => {
    const asset = scope.seriesAssets.get(id) ?? b.series.get(id)?.payout_asset;
    if (asset) b.farmPools.want(farm, asset);
  });
}

function seriesAsset(ev: Ev, b: Batch): string {
  const s = b.series.get(ev.args.id);
  if (!s) throw new Error(`${ev.name} of unknown series ${ev.args.id} at block ${ev.block}`);
  return s.payout_asset;
}

/** Settlement event handlers by event name. */
export const settlementHandlers: Record<string, Handler> = {
  ...accessControlHandlers,
  Deposited: flow("deposit", (p, a) => {
    p.payout_balance += a;
    p.deposited += a;
  }),
  FundingWithdrawn: flow("funding_withdrawn", (p, a) => {
    p.payout_balance -= a;
    p.funding_withdrawn += a;
  }),
  CollateralPosted: flow("collateral_posted", (p, a) => {
    p.collateral += a;
    p.collateral_posted += a;
  }),
  CollateralWithdrawn: flow("collateral_withdrawn", (p, a) => {
    p.collateral -= a;
    p.collateral_withdrawn += a;
  }),
  Settled: {
    prefetch(ev, b, scope) {
      wantSeriesPool(ev, b, scope);
      b.seriesDebt.want(ev.args.id);
    },
    apply(ev, b) {
      const { id, day, farm, b: x } = ev.args;
      const asset = seriesAsset(ev, b);
      const pool = b.farmPools.touch(ev.block, [farm, asset], emptyPool(farm, asset));
      pool.payout_balance -= x.fromBalance;
      pool.paid_from_balance += x.fromBalance;
      pool.collateral -= x.fromCollateral;
      pool.slashed += x.fromCollateral;
      if (x.debtAdded > 0n) {
        const d = b.seriesDebt.touch(ev.block, [id], () => ({ series_id: id, farm, debt: 0n, debt_added: 0n, repaid: 0n }));
        d.debt += x.debtAdded;
        d.debt_added += x.debtAdded;
      }
      b.settlements.add({
        ...ref(ev), series_id: id, day: Number(day), farm, hashprice_e18: x.hashpriceE18, uptime_bps: Number(x.uptimeBps),
        btc_usd_e8: x.btcUsdE8, gross_e18: x.grossE18, pool_fee_e18: x.poolFeeE18, downtime_e18: x.downtimeE18,
        compensation_e18: x.compensationE18, electricity_e18: x.electricityE18, service_e18: x.serviceE18, net_e18: x.netE18,
        supply: x.supply, owed: x.owed, from_balance: x.fromBalance, from_collateral: x.fromCollateral,
        compensation: x.compensation, debt_added: x.debtAdded,
      });
    },
  },
  DebtRepaid: {
    prefetch(ev, b, scope) {
      wantSeriesPool(ev, b, scope);
      b.seriesDebt.want(ev.args.id);
    },
    apply(ev, b) {
      const { id, farm, amount } = ev.args;
      const asset = seriesAsset(ev, b);
      const d = b.seriesDebt.touch(ev.block, [id], () => ({ series_id: id, farm, debt: 0n, debt_added: 0n, repaid: 0n }));
      d.debt -= amount;
      d.repaid += amount;
      // repaid out of the farm's deposit, which `Deposited` credited in full to the payout balance
      const pool = b.farmPools.touch(ev.block, [farm, asset], emptyPool(farm, asset));
      pool.payout_balance -= amount;
      pool.debt_repaid += amount;
      b.farmFlows.add({ ...ref(ev), farm, asset, kind: "debt_repaid", counterparty: farm, series_id: id, amount });
    },
  },
  DebtWrittenOff: {
    // the series has no supply: its debt leaves the books without moving any pool
    prefetch: (ev, b) => b.seriesDebt.want(ev.args.id),
    apply(ev, b) {
      const { id, farm, amount } = ev.args;
      const d = b.seriesDebt.touch(ev.block, [id], () => ({ series_id: id, farm, debt: 0n, debt_added: 0n, repaid: 0n }));
      d.debt -= amount;
    },
  },
  // a pair already settled was skipped by a batch: no state changes
  SettleSkipped: { prefetch() {}, apply() {} },
  SeriesRegistered: adminHandler((ev) => [[`series:${ev.args.id}`, ev.args.farm]]),
  CoverDaysSet: adminHandler((ev) => [["coverDays", String(ev.args.coverDays)]]),
};
