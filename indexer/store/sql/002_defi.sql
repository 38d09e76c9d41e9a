-- hashpower indexer schema, version 2: the DeFi contracts (SeriesWrapperFactory and its SeriesWrappers, Morpho
-- Blue markets whose collateral is a wrapper, the MorphoCollateralAdapter, SeriesValuationOracles). Same
-- conventions as 001: versioned entity tables valid for [block_from, block_to), append-only event tables,
-- numeric(78,0) amounts, lowercase hex addresses; rollback is the same two statements per table.

-- One SeriesWrapper (ERC-20 of one series: 1 wrapped token = 1 unit = 1 TH/s·day), from WrapperCreated.
CREATE TABLE wrappers (
  address text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  supply numeric(78,0) NOT NULL,      -- wrapped units outstanding (totalSupply = its ERC-1155 balance)
  holders int NOT NULL,               -- holders with a positive wrapped balance
  harvested numeric(78,0) NOT NULL,   -- sats claimed from the token into the wrapper (totalHarvested)
  claimed numeric(78,0) NOT NULL,     -- sats paid to holders (totalClaimed)
  created_block bigint NOT NULL,
  PRIMARY KEY (address, block_from)
);
CREATE UNIQUE INDEX wrappers_current ON wrappers (address) WHERE block_to IS NULL;
CREATE INDEX wrappers_series ON wrappers (series_id, block_from);

-- Wrapped balance and yield checkpoint of one holder in one wrapper (the wrapper's accounting: domain/wrapper.ts).
CREATE TABLE wrapper_positions (
  wrapper text NOT NULL,
  holder text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  balance numeric(78,0) NOT NULL,      -- wrapped units (ERC-20 balanceOf)
  paid_e36 numeric(78,0) NOT NULL,     -- token accumulator at the holder's last settlement
  accrued_e36 numeric(78,0) NOT NULL,  -- settled, unclaimed accrual, sats × 1e36
  claimed numeric(78,0) NOT NULL,      -- sats ever claimed from the wrapper
  PRIMARY KEY (wrapper, holder, block_from)
);
CREATE UNIQUE INDEX wrapper_positions_current ON wrapper_positions (wrapper, holder) WHERE block_to IS NULL;
CREATE INDEX wrapper_positions_holder ON wrapper_positions (holder, block_from);

-- A Morpho Blue market whose collateral is a wrapper (known when the market was created), with its stored totals.
CREATE TABLE morpho_markets (
  id text NOT NULL,                    -- Morpho market id (bytes32 hex)
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  loan_token text NOT NULL,
  collateral_token text NOT NULL,      -- the wrapper
  oracle text NOT NULL,
  irm text NOT NULL,
  lltv numeric(78,0) NOT NULL,         -- WAD
  fee numeric(78,0) NOT NULL,          -- WAD
  total_supply_assets numeric(78,0) NOT NULL,
  total_supply_shares numeric(78,0) NOT NULL,
  total_borrow_assets numeric(78,0) NOT NULL,
  total_borrow_shares numeric(78,0) NOT NULL,
  created_block bigint NOT NULL,
  PRIMARY KEY (id, block_from)
);
CREATE UNIQUE INDEX morpho_markets_current ON morpho_markets (id) WHERE block_to IS NULL;

-- A borrower's position in such a market (Morpho's `position(id, user)`, borrow side).
CREATE TABLE morpho_positions (
  market_id text NOT NULL,
  holder text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  collateral numeric(78,0) NOT NULL,     -- wrapped units
  borrow_shares numeric(78,0) NOT NULL,
  PRIMARY KEY (market_id, holder, block_from)
);
CREATE UNIQUE INDEX morpho_positions_current ON morpho_positions (market_id, holder) WHERE block_to IS NULL;
CREATE INDEX morpho_positions_holder ON morpho_positions (holder, block_from);

-- The adapter's pool of one wrapper (`poolOf`: domain/adapter.ts).
CREATE TABLE adapter_pools (
  wrapper text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  total_recorded numeric(78,0) NOT NULL,   -- units
  acc_per_unit_e36 numeric(78,0) NOT NULL, -- sats per recorded unit × 1e36
  carry_e36 numeric(78,0) NOT NULL,
  unallocated_e36 numeric(78,0) NOT NULL,
  received numeric(78,0) NOT NULL,         -- sats claimed from the wrapper
  paid numeric(78,0) NOT NULL,             -- sats paid to users and swept
  PRIMARY KEY (wrapper, block_from)
);
CREATE UNIQUE INDEX adapter_pools_current ON adapter_pools (wrapper) WHERE block_to IS NULL;

-- The adapter's record of one user in one market (`accountOf`).
CREATE TABLE adapter_accounts (
  market_id text NOT NULL,
  holder text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  wrapper text NOT NULL,
  series_id numeric(78,0) NOT NULL,
  collateral numeric(78,0) NOT NULL,     -- units recorded at the last sync
  paid_e36 numeric(78,0) NOT NULL,
  accrued_e36 numeric(78,0) NOT NULL,
  claimed numeric(78,0) NOT NULL,        -- sats ever claimed through the adapter
  PRIMARY KEY (market_id, holder, block_from)
);
CREATE UNIQUE INDEX adapter_accounts_current ON adapter_accounts (market_id, holder) WHERE block_to IS NULL;
CREATE INDEX adapter_accounts_holder ON adapter_accounts (holder, block_from);

-- A SeriesValuationOracle of the indexed token (its Configured event: the effective configuration).
CREATE TABLE valuation_oracles (
  address text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  hashprice_oracle text NOT NULL,
  quote int NOT NULL,                  -- 0 sats, 1 USD
  loan_token text NOT NULL,
  loan_decimals int NOT NULL,
  btc_usd_feed text NOT NULL,
  feed_heartbeat bigint NOT NULL,      -- seconds
  window_days int NOT NULL,
  haircut_bps int NOT NULL,
  max_age_days int NOT NULL,
  halving_day bigint NOT NULL,         -- UTC day, 0 = none
  PRIMARY KEY (address, block_from)
);
CREATE UNIQUE INDEX valuation_oracles_current ON valuation_oracles (address) WHERE block_to IS NULL;
CREATE INDEX valuation_oracles_series ON valuation_oracles (series_id, block_from);

-- Every event of those contracts (Morpho: of the followed markets), decoded.
CREATE TABLE defi_events (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  contract text NOT NULL,                -- wrapperFactory | wrapper | adapter | morpho | valuationOracle
  address text NOT NULL,
  event text NOT NULL,
  args jsonb NOT NULL,                   -- integers as strings
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX defi_events_address ON defi_events (address, block_number);
