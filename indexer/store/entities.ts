/**
 * In-memory row types of the tables (see `sql/001_init.sql` for units) and the per-range working set.
 * numeric columns are bigint, int/bigint columns numbers.
 */
import type { Sql, Tx } from "./db.js";
import { EventTable, VersionedTable } from "./batch.js";
import { eventTables, versionedTables } from "./tables.js";

export interface FarmRow { address: string; name: string; capacity_ths: bigint; registered_block: number }
export interface SeriesRow {
  id: bigint; farm: string; payout_asset: string; hashrate_ths: bigint; start_day: number; term_days: number;
  efficiency_j_per_th_e3: number; pool_fee_bps: number; sla_bps: number; power_cost_usd_per_kwh_e6: number;
  service_fee_usd_per_th_day_e6: number; created_tx: string;
}
export interface SeriesStateRow {
  series_id: bigint; supply: bigint; minted: bigint; acc_per_unit_e36: bigint; carry_e36: bigint; distributed: bigint;
  repaid: bigint; claimed: bigint; holders: number; days_distributed: number;
}
export interface PositionRow { series_id: bigint; holder: string; balance: bigint; paid_e36: bigint; accrued_e36: bigint; claimed: bigint }
export interface FarmPoolRow {
  farm: string; asset: string; payout_balance: bigint; collateral: bigint; deposited: bigint; funding_withdrawn: bigint;
  collateral_posted: bigint; collateral_withdrawn: bigint; paid_from_balance: bigint; slashed: bigint; debt_repaid: bigint;
}
export interface SeriesDebtRow { series_id: bigint; farm: string; debt: bigint; debt_added: bigint; repaid: bigint }
export interface DailyReportRow {
  day: number; status: "pending" | "final" | "rejected"; first_height: number; blocks: number; bits: number; subsidy_sats: bigint;
  fees_per_block_sats: bigint; hashprice_e18: bigint; btc_usd_e8: bigint; price_from_feed: boolean; violations: number | null;
}
export interface KvRow { contract: string; key: string; value: string }
export interface WrapperRow { address: string; series_id: bigint; supply: bigint; holders: number; harvested: bigint; claimed: bigint; acc0_e36: bigint; created_block: number }
export interface WrapperPositionRow { wrapper: string; holder: string; series_id: bigint; balance: bigint }
export interface MorphoMarketRow {
  id: string; series_id: bigint; loan_token: string; collateral_token: string; oracle: string; irm: string; lltv: bigint; fee: bigint;
  total_supply_assets: bigint; total_supply_shares: bigint; total_borrow_assets: bigint; total_borrow_shares: bigint; created_block: number;
}
export interface MorphoPositionRow { market_id: string; holder: string; series_id: bigint; collateral: bigint; borrow_shares: bigint }
export interface ValuationOracleRow {
  address: string; series_id: bigint; wrapper: string; hashprice_oracle: string; loan_token: string; loan_decimals: number;
  window_days: number; haircut_bps: number; max_age_days: number; grace_days: number; decay_days: number; max_growth_bps_per_day: number;
  first_day: number; latest_day: number; recorded_block: number | null; days_used: number | null; remaining_days: number | null;
  halving_day: number | null; post_halving_days: number | null; avg_net_e18: bigint | null; avg_net_halved_e18: bigint | null;
  bound_e18: bigint | null; raw_value_e18: bigint | null; unit_value_e18: bigint | null;
}

/** Fields of every event row. */
export interface EventRef { block_number: number; log_index: number; tx_hash: string }
export interface TransferRow extends EventRef {
  batch_index: number; operator: string; from_address: string; to_address: string; series_id: bigint; amount: bigint;
}
export interface DistributionRow extends EventRef {
  series_id: bigint; kind: "daily" | "repayment"; day: number | null; amount: bigint; supply: bigint; acc_per_unit_e36: bigint;
}
export interface SettlementRow extends EventRef {
  series_id: bigint; day: number; farm: string; hashprice_e18: bigint; uptime_bps: number; btc_usd_e8: bigint;
  gross_e18: bigint; pool_fee_e18: bigint; downtime_e18: bigint; compensation_e18: bigint; electricity_e18: bigint;
  service_e18: bigint; net_e18: bigint; supply: bigint; owed: bigint; from_balance: bigint; from_collateral: bigint;
  compensation: bigint; debt_added: bigint;
}
export interface ClaimRow extends EventRef { holder: string; series_id: bigint; receiver: string; caller: string; amount: bigint }
export interface FarmFlowRow extends EventRef {
  farm: string; asset: string; kind: string; counterparty: string; series_id: bigint | null; amount: bigint;
}
export interface UptimeRow extends EventRef { farm: string; day: number; uptime_bps: number }
export interface AdminEventRow extends EventRef { contract: string; event: string; args: unknown }
export interface DefiEventRow extends EventRef { contract: string; address: string; event: string; args: unknown }

/** Creates the empty working set of one block range. */
export function createBatch() {
  return {
    farms: new VersionedTable<FarmRow>(versionedTables.farms),
    series: new VersionedTable<SeriesRow>(versionedTables.series),
    seriesState: new VersionedTable<SeriesStateRow>(versionedTables.series_state),
    positions: new VersionedTable<PositionRow>(versionedTables.positions),
    farmPools: new VersionedTable<FarmPoolRow>(versionedTables.farm_pools),
    seriesDebt: new VersionedTable<SeriesDebtRow>(versionedTables.series_debt),
    dailyReports: new VersionedTable<DailyReportRow>(versionedTables.daily_reports),
    kv: new VersionedTable<KvRow>(versionedTables.kv),
    wrappers: new VersionedTable<WrapperRow>(versionedTables.wrappers),
    wrapperPositions: new VersionedTable<WrapperPositionRow>(versionedTables.wrapper_positions),
    morphoMarkets: new VersionedTable<MorphoMarketRow>(versionedTables.morpho_markets),
    morphoPositions: new VersionedTable<MorphoPositionRow>(versionedTables.morpho_positions),
    valuationOracles: new VersionedTable<ValuationOracleRow>(versionedTables.valuation_oracles),
    transfers: new EventTable<TransferRow>(eventTables.transfers),
    distributions: new EventTable<DistributionRow>(eventTables.distributions),
    settlements: new EventTable<SettlementRow>(eventTables.settlements),
    claims: new EventTable<ClaimRow>(eventTables.claims),
    farmFlows: new EventTable<FarmFlowRow>(eventTables.farm_flows),
    uptimes: new EventTable<UptimeRow>(eventTables.uptimes),
    adminEvents: new EventTable<AdminEventRow>(eventTables.admin_events),
    defiEvents: new EventTable<DefiEventRow>(eventTables.defi_events),
  };
}

/** The working set of one block range. */
export type Batch = ReturnType<typeof createBatch>;

/** Loads every prefetched key (one query per table that has keys to load). */
export async function loadBatch(sql: Sql, batch: Batch): Promise<void> {
  for (const t of Object.values(batch)) if (t instanceof VersionedTable) await t.load(sql);
}

/** Writes the working set; returns the number of rows written. */
export async function flushBatch(sql: Tx, batch: Batch): Promise<number> {
  let rows = 0;
  for (const t of Object.values(batch)) rows += await t.flush(sql);
  return rows;
}
