-- hashpower indexer schema, version 1. Runs unchanged on PGlite and PostgreSQL.
--
-- Conventions
--  * Amounts and uint256 values: numeric(78,0) (exact; never floats). Addresses: lowercase 0x-hex text.
--  * Versioned entity tables (farms, series, series_state, positions, farm_pools, series_debt, daily_reports, kv)
--    keep one row per entity per block in which it changed: valid for blocks [block_from, block_to);
--    block_to IS NULL marks the current row. As-of-block N: block_from <= N AND (block_to IS NULL OR block_to > N).
--  * Event tables are append-only and ordered by (block_number, log_index).
--  * Rolling back to fork block F (a reorg): delete event rows and entity versions with block > F, and reopen
--    versions closed after F. Nothing else is needed: the schema is its own undo journal.

CREATE TABLE checkpoint (
  id int PRIMARY KEY CHECK (id = 1),
  block_number bigint NOT NULL,      -- every block <= this one is fully indexed
  block_hash text NOT NULL,
  block_timestamp bigint NOT NULL,   -- unix seconds
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Headers of recent (unfinalized) blocks, for parent-hash reorg detection.
CREATE TABLE blocks (
  number bigint PRIMARY KEY,
  hash text NOT NULL,
  parent_hash text NOT NULL,
  timestamp bigint NOT NULL
);

-- Indexer settings the data depends on (chain id, contract addresses, start block).
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

-- ------------------------------------------------------------------ versioned entities
CREATE TABLE farms (
  address text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  name text NOT NULL,
  capacity_ths numeric(78,0) NOT NULL,   -- TH/s
  registered_block bigint NOT NULL,
  PRIMARY KEY (address, block_from)
);
CREATE UNIQUE INDEX farms_current ON farms (address) WHERE block_to IS NULL;

CREATE TABLE series (
  id numeric(78,0) NOT NULL,
  block_from bigint NOT NULL,            -- creation block
  block_to bigint,
  farm text NOT NULL,
  payout_asset text NOT NULL,
  hashrate_ths numeric(78,0) NOT NULL,   -- TH/s every day of the term
  start_day int NOT NULL,                -- UTC day number
  term_days int NOT NULL,
  efficiency_j_per_th_e3 bigint NOT NULL,
  pool_fee_bps int NOT NULL,
  sla_bps int NOT NULL,
  power_cost_usd_per_kwh_e6 bigint NOT NULL,
  service_fee_usd_per_th_day_e6 bigint NOT NULL,
  created_tx text NOT NULL,
  PRIMARY KEY (id, block_from)
);
CREATE UNIQUE INDEX series_current ON series (id) WHERE block_to IS NULL;
CREATE INDEX series_farm ON series (farm) WHERE block_to IS NULL;

CREATE TABLE series_state (
  series_id numeric(78,0) NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  supply numeric(78,0) NOT NULL,           -- units (TH/s·days) outstanding
  minted numeric(78,0) NOT NULL,           -- units ever minted
  acc_per_unit_e36 numeric(78,0) NOT NULL, -- sats per unit × 1e36
  carry_e36 numeric(78,0) NOT NULL,        -- undistributed remainder × 1e36
  distributed numeric(78,0) NOT NULL,      -- sats ever distributed (daily + repayments)
  repaid numeric(78,0) NOT NULL,           -- sats of that distributed as debt repayments
  claimed numeric(78,0) NOT NULL,          -- sats ever claimed
  holders int NOT NULL,                    -- holders with a positive balance
  days_distributed int NOT NULL,           -- days marked distributed (amount may be 0)
  PRIMARY KEY (series_id, block_from)
);
CREATE UNIQUE INDEX series_state_current ON series_state (series_id) WHERE block_to IS NULL;

CREATE TABLE positions (
  series_id numeric(78,0) NOT NULL,
  holder text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  balance numeric(78,0) NOT NULL,      -- units (TH/s·days)
  paid_e36 numeric(78,0) NOT NULL,     -- accumulator at the holder's last settlement
  accrued_e36 numeric(78,0) NOT NULL,  -- settled, unclaimed accrual, sats × 1e36
  claimed numeric(78,0) NOT NULL,      -- sats ever claimed
  PRIMARY KEY (series_id, holder, block_from)
);
CREATE UNIQUE INDEX positions_current ON positions (series_id, holder) WHERE block_to IS NULL;
CREATE INDEX positions_holder_current ON positions (holder) WHERE block_to IS NULL;
CREATE INDEX positions_holder ON positions (holder, block_from);
CREATE INDEX positions_series_balance ON positions (series_id, balance) WHERE block_to IS NULL;

CREATE TABLE farm_pools (
  farm text NOT NULL,
  asset text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  payout_balance numeric(78,0) NOT NULL,  -- sats available to pay holders
  collateral numeric(78,0) NOT NULL,      -- sats posted as collateral
  deposited numeric(78,0) NOT NULL,
  funding_withdrawn numeric(78,0) NOT NULL,
  collateral_posted numeric(78,0) NOT NULL,
  collateral_withdrawn numeric(78,0) NOT NULL,
  paid_from_balance numeric(78,0) NOT NULL,
  slashed numeric(78,0) NOT NULL,         -- collateral drawn by settlements
  debt_repaid numeric(78,0) NOT NULL,
  PRIMARY KEY (farm, asset, block_from)
);
CREATE UNIQUE INDEX farm_pools_current ON farm_pools (farm, asset) WHERE block_to IS NULL;

CREATE TABLE series_debt (
  series_id numeric(78,0) NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  farm text NOT NULL,
  debt numeric(78,0) NOT NULL,        -- sats the farm owes the series now
  debt_added numeric(78,0) NOT NULL,  -- sats of debt ever incurred
  repaid numeric(78,0) NOT NULL,      -- sats of debt ever repaid
  PRIMARY KEY (series_id, block_from)
);
CREATE UNIQUE INDEX series_debt_current ON series_debt (series_id) WHERE block_to IS NULL;

CREATE TABLE daily_reports (
  day int NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  status text NOT NULL,                  -- pending | final | rejected
  first_height bigint NOT NULL,          -- the day's heights are [first_height, first_height + blocks)
  blocks int NOT NULL,
  bits bigint NOT NULL,
  subsidy_sats numeric(78,0) NOT NULL,
  fees_per_block_sats numeric(78,0) NOT NULL,
  hashprice_e18 numeric(78,0) NOT NULL,  -- sats per TH/s·day × 1e18
  btc_usd_e8 numeric(78,0) NOT NULL,
  price_from_feed boolean NOT NULL,
  violations int,                        -- pending reports: the input bounds broken (IHashpriceOracle flags)
  PRIMARY KEY (day, block_from)
);
CREATE UNIQUE INDEX daily_reports_current ON daily_reports (day) WHERE block_to IS NULL;

-- Small admin state: pause flags, roles, claimers, guard, reporter set, cover days...
CREATE TABLE kv (
  contract text NOT NULL,
  key text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  value text NOT NULL,
  PRIMARY KEY (contract, key, block_from)
);
CREATE UNIQUE INDEX kv_current ON kv (contract, key) WHERE block_to IS NULL;

-- ------------------------------------------------------------------ append-only events
CREATE TABLE transfers (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  batch_index int NOT NULL,              -- position within a TransferBatch (0 for TransferSingle)
  tx_hash text NOT NULL,
  operator text NOT NULL,
  from_address text NOT NULL,
  to_address text NOT NULL,
  series_id numeric(78,0) NOT NULL,
  amount numeric(78,0) NOT NULL,         -- units (TH/s·days)
  PRIMARY KEY (block_number, log_index, batch_index)
);
CREATE INDEX transfers_series ON transfers (series_id, block_number);
CREATE INDEX transfers_from ON transfers (from_address, block_number);
CREATE INDEX transfers_to ON transfers (to_address, block_number);

CREATE TABLE distributions (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  series_id numeric(78,0) NOT NULL,
  kind text NOT NULL,                    -- daily | repayment
  day int,                               -- null for repayments
  amount numeric(78,0) NOT NULL,         -- sats
  supply numeric(78,0) NOT NULL,
  acc_per_unit_e36 numeric(78,0) NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX distributions_series ON distributions (series_id, day);

CREATE TABLE settlements (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  series_id numeric(78,0) NOT NULL,
  day int NOT NULL,
  farm text NOT NULL,
  hashprice_e18 numeric(78,0) NOT NULL,
  uptime_bps int NOT NULL,
  btc_usd_e8 numeric(78,0) NOT NULL,
  gross_e18 numeric(78,0) NOT NULL,
  pool_fee_e18 numeric(78,0) NOT NULL,
  downtime_e18 numeric(78,0) NOT NULL,
  compensation_e18 numeric(78,0) NOT NULL,
  electricity_e18 numeric(78,0) NOT NULL,
  service_e18 numeric(78,0) NOT NULL,
  net_e18 numeric(78,0) NOT NULL,
  supply numeric(78,0) NOT NULL,
  owed numeric(78,0) NOT NULL,
  from_balance numeric(78,0) NOT NULL,
  from_collateral numeric(78,0) NOT NULL,
  compensation numeric(78,0) NOT NULL,
  debt_added numeric(78,0) NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX settlements_series ON settlements (series_id, day);
CREATE INDEX settlements_farm ON settlements (farm, day);

CREATE TABLE claims (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  holder text NOT NULL,
  series_id numeric(78,0) NOT NULL,
  receiver text NOT NULL,
  caller text NOT NULL,
  amount numeric(78,0) NOT NULL,         -- sats
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX claims_holder ON claims (holder, block_number);
CREATE INDEX claims_series ON claims (series_id, block_number);

CREATE TABLE farm_flows (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  farm text NOT NULL,
  asset text NOT NULL,
  kind text NOT NULL,     -- deposit | funding_withdrawn | collateral_posted | collateral_withdrawn | debt_repaid
  counterparty text NOT NULL,             -- payer or recipient (the series id's farm for debt_repaid)
  series_id numeric(78,0),                -- debt_repaid only
  amount numeric(78,0) NOT NULL,          -- sats
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX farm_flows_farm ON farm_flows (farm, block_number);

CREATE TABLE uptimes (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  farm text NOT NULL,
  day int NOT NULL,
  uptime_bps int NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX uptimes_farm ON uptimes (farm, day);

CREATE TABLE admin_events (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  contract text NOT NULL,                 -- token | oracle | settlement
  event text NOT NULL,
  args jsonb NOT NULL,                    -- decoded arguments, integers as strings
  PRIMARY KEY (block_number, log_index)
);
