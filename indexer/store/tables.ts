/**
 * Table specifications (column types) shared by the batch writer, the rollback and the API.
 * The SQL schema itself lives in `sql/*.sql`; `test/indexer/store.test.ts` checks the two agree.
 */
/** Column types: numeric ↔ bigint, text ↔ string, int/bigint ↔ number, bool ↔ boolean, jsonb ↔ object. */
export type ColType = "numeric" | "text" | "int" | "bigint" | "bool" | "jsonb";

/** A table's columns (without the versioning columns `block_from`/`block_to`). */
export interface TableSpec {
  name: string;
  /** Entity key (versioned tables) or primary key (event tables). */
  key: string[];
  cols: Record<string, ColType>;
}

const n = "numeric" as const;
const t = "text" as const;
const i = "int" as const;
const b = "bigint" as const;

/** Entity tables with one row per entity per changing block (`block_from`, `block_to`). */
export const versionedTables = {
  farms: { name: "farms", key: ["address"], cols: { address: t, name: t, capacity_ths: n, registered_block: b } },
  series: {
    name: "series",
    key: ["id"],
    cols: {
      id: n, farm: t, payout_asset: t, hashrate_ths: n, start_day: i, term_days: i, efficiency_j_per_th_e3: b,
      pool_fee_bps: i, sla_bps: i, power_cost_usd_per_kwh_e6: b, service_fee_usd_per_th_day_e6: b, created_tx: t,
    },
  },
  series_state: {
    name: "series_state",
    key: ["series_id"],
    cols: {
      series_id: n, supply: n, minted: n, acc_per_unit_e36: n, carry_e36: n, distributed: n, repaid: n, claimed: n,
      holders: i, days_distributed: i,
    },
  },
  positions: {
    name: "positions",
    key: ["series_id", "holder"],
    cols: { series_id: n, holder: t, balance: n, paid_e36: n, accrued_e36: n, claimed: n },
  },
  farm_pools: {
    name: "farm_pools",
    key: ["farm", "asset"],
    cols: {
      farm: t, asset: t, payout_balance: n, collateral: n, deposited: n, funding_withdrawn: n, collateral_posted: n,
      collateral_withdrawn: n, paid_from_balance: n, slashed: n, debt_repaid: n,
    },
  },
  series_debt: { name: "series_debt", key: ["series_id"], cols: { series_id: n, farm: t, debt: n, debt_added: n, repaid: n } },
  daily_reports: {
    name: "daily_reports",
    key: ["day"],
    cols: {
      day: i, status: t, first_height: b, blocks: i, bits: b, subsidy_sats: n, fees_per_block_sats: n, hashprice_e18: n,
      btc_usd_e8: n, price_from_feed: "bool", violations: i,
    },
  },
  kv: { name: "kv", key: ["contract", "key"], cols: { contract: t, key: t, value: t } },
  // DeFi (sql/002_defi.sql)
  wrappers: {
    name: "wrappers",
    key: ["address"],
    cols: { address: t, series_id: n, supply: n, holders: i, harvested: n, claimed: n, acc0_e36: n, created_block: b },
  },
  wrapper_positions: {
    name: "wrapper_positions",
    key: ["wrapper", "holder"],
    cols: { wrapper: t, holder: t, series_id: n, balance: n },
  },
  morpho_markets: {
    name: "morpho_markets",
    key: ["id"],
    cols: {
      id: t, series_id: n, loan_token: t, collateral_token: t, oracle: t, irm: t, lltv: n, fee: n, total_supply_assets: n,
      total_supply_shares: n, total_borrow_assets: n, total_borrow_shares: n, created_block: b,
    },
  },
  morpho_positions: {
    name: "morpho_positions",
    key: ["market_id", "holder"],
    cols: { market_id: t, holder: t, series_id: n, collateral: n, borrow_shares: n },
  },
  valuation_oracles: {
    name: "valuation_oracles",
    key: ["address"],
    cols: {
      address: t, series_id: n, wrapper: t, hashprice_oracle: t, loan_token: t, loan_decimals: i, window_days: i, haircut_bps: i, max_age_days: i,
      grace_days: i, decay_days: i, max_growth_bps_per_day: i, first_day: b, latest_day: b, recorded_block: b, days_used: i, remaining_days: i,
      halving_day: b, post_halving_days: i, avg_net_e18: n, avg_net_halved_e18: n, bound_e18: n, raw_value_e18: n, unit_value_e18: n,
    },
  },
} satisfies Record<string, TableSpec>;

const ev = { block_number: b, log_index: i, tx_hash: t } as const;

/** Append-only event tables, ordered by (block_number, log_index). */
export const eventTables = {
  transfers: {
    name: "transfers",
    key: ["block_number", "log_index", "batch_index"],
    cols: { ...ev, batch_index: i, operator: t, from_address: t, to_address: t, series_id: n, amount: n },
  },
  distributions: {
    name: "distributions",
    key: ["block_number", "log_index"],
    cols: { ...ev, series_id: n, kind: t, day: i, amount: n, supply: n, acc_per_unit_e36: n },
  },
  settlements: {
    name: "settlements",
    key: ["block_number", "log_index"],
    cols: {
      ...ev, series_id: n, day: i, farm: t, hashprice_e18: n, uptime_bps: i, btc_usd_e8: n, gross_e18: n,
      pool_fee_e18: n, downtime_e18: n, compensation_e18: n, electricity_e18: n, service_e18: n, net_e18: n,
      supply: n, owed: n, from_balance: n, from_collateral: n, compensation: n, debt_added: n,
    },
  },
  claims: {
    name: "claims",
    key: ["block_number", "log_index"],
    cols: { ...ev, holder: t, series_id: n, receiver: t, caller: t, amount: n },
  },
  farm_flows: {
    name: "farm_flows",
    key: ["block_number", "log_index"],
    cols: { ...ev, farm: t, asset: t, kind: t, counterparty: t, series_id: n, amount: n },
  },
  uptimes: { name: "uptimes", key: ["block_number", "log_index"], cols: { ...ev, farm: t, day: i, uptime_bps: i } },
  admin_events: {
    name: "admin_events",
    key: ["block_number", "log_index"],
    cols: { ...ev, contract: t, event: t, args: "jsonb" },
  },
  defi_events: {
    name: "defi_events",
    key: ["block_number", "log_index"],
    cols: { ...ev, contract: t, address: t, event: t, args: "jsonb" },
  },
} satisfies Record<string, TableSpec>;

/** Converts a database value of type `type` to its in-memory form. */
export function fromDb(type: ColType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "numeric":
      return BigInt(v as string);
    case "int":
    case "bigint":
      return Number(v);
    default:
      return v;
  }
}

/** Converts an in-memory value to a query parameter (array element) of type `type`. */
export function toDb(type: ColType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "numeric":
      return (v as bigint).toString();
    case "jsonb":
      return JSON.stringify(v);
    default:
      return v;
  }
}

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
/** A text value in COPY text format (backslash, tab, newline and carriage return escaped). */
const copyText = (s: string): string => (/[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : s);
/** COPY text encoders of in-memory values by column type (numbers and decimals never need escaping). */
const COPY_ENCODE: Record<ColType, (v: any) => string> = {
  numeric: (v) => v.toString(), int: String, bigint: String, bool: (v) => (v ? "t" : "f"),
  text: (v) => copyText(String(v)), jsonb: (v) => copyText(JSON.stringify(v)),
};

/**
 * An encoder of `spec`'s rows (in-memory form) as COPY text lines without the line end: its columns in declaration
 * order, tab-separated, `\N` for null.
 */
export function copyRow(spec: TableSpec): (row: Record<string, unknown>) => string {
  const cols = Object.entries(spec.cols).map(([c, type]) => ({ c, enc: COPY_ENCODE[type] }));
  return (row) => {
    let line = "";
    for (let j = 0; j < cols.length; j++) {
      const v = row[cols[j].c];
      if (j > 0) line += "\t";
      line += v === null || v === undefined ? "\\N" : cols[j].enc(v);
    }
    return line;
  };
}

/** SQL array type of a column type (jsonb travels as text and is cast after unnest). */
export function arrayType(type: ColType): string {
  return type === "jsonb" ? "text[]" : type === "bool" ? "boolean[]" : `${type}[]`;
}
