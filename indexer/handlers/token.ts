/**
 * Token (`IHashpowerToken` + ERC-1155) handlers. The payout accounting replays the contract's accumulator with
 * `domain/accumulator.ts` (the same module the contract tests use): holders are settled before every balance
 * change, distributions advance the accumulator with the carried remainder, claims pay the whole sats.
 */
import * as acc from "../../domain/accumulator.js";
import type { Batch } from "../store/entities.js";
import type { PositionRow, SeriesStateRow } from "../store/entities.js";
import { accessControlHandlers, adminHandler, ref, type Handler, type HandlerContext } from "./context.js";
import type { Ev } from "./decode.js";

const ZERO = "0x0000000000000000000000000000000000000000";

const emptyState = (id: bigint): SeriesStateRow => ({
  series_id: id, supply: 0n, minted: 0n, acc_per_unit_e36: 0n, carry_e36: 0n, distributed: 0n, repaid: 0n,
  claimed: 0n, holders: 0, days_distributed: 0,
});
const emptyPosition = (id: bigint, holder: string) => (): PositionRow => ({
  series_id: id, holder, balance: 0n, paid_e36: 0n, accrued_e36: 0n, claimed: 0n,
});

/** Accumulator views of rows (the domain module's field names). */
const seriesAcc = (s: SeriesStateRow): acc.SeriesAcc => ({ supply: s.supply, accPerUnitE36: s.acc_per_unit_e36, carryE36: s.carry_e36 });
function settle(s: SeriesStateRow, p: PositionRow): void {
  const h: acc.HolderAcc = { balance: p.balance, paidE36: p.paid_e36, accruedE36: p.accrued_e36 };
  acc.settle(seriesAcc(s), h);
  p.paid_e36 = h.paidE36;
  p.accrued_e36 = h.accruedE36;
}

/** One (id, value) movement of a TransferSingle/TransferBatch. */
function move(ev: Ev, b: Batch, id: bigint, value: bigint, batchIndex: number): void {
  const { from, to, operator } = ev.args;
  const s = b.seriesState.touch(ev.block, [id], () => emptyState(id));
  if (from !== ZERO) {
    const p = b.positions.touch(ev.block, [id, from], emptyPosition(id, from));
    settle(s, p);
    const before = p.balance;
    p.balance -= value;
    if (before > 0n && p.balance === 0n) s.holders -= 1;
  } else {
    s.supply += value;
    s.minted += value;
  }
  if (to !== ZERO) {
    const p = b.positions.touch(ev.block, [id, to], emptyPosition(id, to));
    settle(s, p);
    if (p.balance === 0n && value > 0n) s.holders += 1;
    p.balance += value;
  } else {
    s.supply -= value;
  }
  b.transfers.add({
    block_number: ev.block, log_index: ev.logIndex, tx_hash: ev.tx, batch_index: batchIndex, operator, from_address: from, to_address: to,
    series_id: id, amount: value,
  }); // the fields of ref(ev) written out: one object per transfer, the hot path of a backfill
}

function wantMove(ev: Ev, b: Batch, id: bigint): void {
  b.seriesState.want(id);
  if (ev.args.from !== ZERO) b.positions.want(id, ev.args.from);
  if (ev.args.to !== ZERO) b.positions.want(id, ev.args.to);
}

/** Applies a distribution to the series accumulator, checking the event's values against the model. */
function distribute(ev: Ev, b: Batch, ctx: HandlerContext, kind: "daily" | "repayment"): void {
  const { id, amount, supply, accPerUnitE36 } = ev.args;
  const s = b.seriesState.touch(ev.block, [id], () => emptyState(id));
  if (s.supply !== supply) ctx.mismatch(ev, "supply", s.supply, supply);
  const a = seriesAcc(s);
  acc.distribute(a, amount);
  s.acc_per_unit_e36 = a.accPerUnitE36;
  s.carry_e36 = a.carryE36;
  if (a.accPerUnitE36 !== accPerUnitE36) ctx.mismatch(ev, "accPerUnitE36", a.accPerUnitE36, accPerUnitE36);
  s.distributed += amount;
  if (kind === "repayment") s.repaid += amount;
  else s.days_distributed += 1;
  b.distributions.add({
    ...ref(ev), series_id: id, kind, day: kind === "daily" ? Number(ev.args.day) : null, amount, supply, acc_per_unit_e36: accPerUnitE36,
  });
}

/** Token event handlers by event name. */
export const tokenHandlers: Record<string, Handler> = {
  ...accessControlHandlers,
  FarmRegistered: {
    prefetch: (ev, b) => b.farms.want(ev.args.farm),
    apply(ev, b) {
      const { farm, capacityThs, name } = ev.args;
      const f = b.farms.touch(ev.block, [farm], () => ({ address: farm, name, capacity_ths: 0n, registered_block: ev.block }));
      f.name = name;
      f.capacity_ths = capacityThs;
    },
  },
  FarmCapacitySet: {
    prefetch: (ev, b) => b.farms.want(ev.args.farm),
    apply(ev, b) {
      const { farm, capacityThs } = ev.args;
      b.farms.touch(ev.block, [farm], () => ({ address: farm, name: "", capacity_ths: 0n, registered_block: ev.block })).capacity_ths =
        capacityThs;
    },
  },
  SeriesCreated: {
    prefetch(ev, b, scope) {
      b.series.want(ev.args.id);
      b.seriesState.want(ev.args.id);
      scope.seriesAssets.set(ev.args.id, ev.args.terms.payoutAsset.toLowerCase());
    },
    apply(ev, b) {
      const { id, terms: t } = ev.args;
      b.series.touch(ev.block, [id], () => ({
        id, farm: t.farm.toLowerCase(), payout_asset: t.payoutAsset.toLowerCase(), hashrate_ths: t.hashrateThs,
        start_day: Number(t.startDay), term_days: Number(t.termDays), efficiency_j_per_th_e3: Number(t.efficiencyJPerThE3),
        pool_fee_bps: Number(t.poolFeeBps), sla_bps: Number(t.slaBps), power_cost_usd_per_kwh_e6: Number(t.powerCostUsdPerKWhE6),
        service_fee_usd_per_th_day_e6: Number(t.serviceFeeUsdPerThDayE6), created_tx: ev.tx,
      }));
      b.seriesState.touch(ev.block, [id], () => emptyState(id));
    },
  },
  TransferSingle: {
    prefetch: (ev, b) => wantMove(ev, b, ev.args.id),
    apply: (ev, b) => move(ev, b, ev.args.id, ev.args.value, 0),
  },
  TransferBatch: {
    prefetch: (ev, b) => ev.args.ids.forEach((id: bigint) => wantMove(ev, b, id)),
    apply: (ev, b) => ev.args.ids.forEach((id: bigint, j: number) => move(ev, b, id, ev.args.values[j], j)),
  },
  Distributed: {
    prefetch: (ev, b) => b.seriesState.want(ev.args.id),
    apply: (ev, b, ctx) => distribute(ev, b, ctx, "daily"),
  },
  RepaymentDistributed: {
    prefetch: (ev, b) => b.seriesState.want(ev.args.id),
    apply: (ev, b, ctx) => distribute(ev, b, ctx, "repayment"),
  },
  Claimed: {
    prefetch(ev, b) {
      b.seriesState.want(ev.args.id);
      b.positions.want(ev.args.id, ev.args.holder);
    },
    apply(ev, b, ctx) {
      const { holder, id, receiver, caller, amount } = ev.args;
      const s = b.seriesState.touch(ev.block, [id], () => emptyState(id));
      const p = b.positions.touch(ev.block, [id, holder], emptyPosition(id, holder));
      const h: acc.HolderAcc = { balance: p.balance, paidE36: p.paid_e36, accruedE36: p.accrued_e36 };
      const paid = acc.claim(seriesAcc(s), h);
      if (paid !== amount) ctx.mismatch(ev, "claimed amount", paid, amount);
      p.paid_e36 = h.paidE36;
      p.accrued_e36 = h.accruedE36;
      p.claimed += amount;
      s.claimed += amount;
      b.claims.add({ ...ref(ev), holder, series_id: id, receiver, caller: caller, amount });
    },
  },
  ClaimerSet: adminHandler((ev) => [[`claimer:${ev.args.holder}`, ev.args.claimer]]),
  IssuanceGuardSet: adminHandler((ev) => [["issuanceGuard", ev.args.guard]]),
  DistributorSet: adminHandler((ev) => [["distributor", ev.args.distributor]]),
  ApprovalForAll: adminHandler((ev) => [[`approval:${ev.args.account}:${ev.args.operator}`, String(ev.args.approved)]]),
  URI: adminHandler(),
};
