-- hashpower indexer schema, version 2: the DeFi contracts (SeriesWrapperFactory and its SeriesWrappers, Morpho
-- Blue markets whose collateral is a wrapper's share, SeriesValuationOracles). Same
-- conventions as 001: versioned entity tables valid for [block_from, block_to), append-only event tables,
-- numeric(78,0) amounts, lowercase hex addresses; rollback is the same two statements per table.

-- One SeriesWrapper (accumulating ERC-20 share of one series: 1 share = 1 unit of 1 TH/s·day + index sats),
-- from WrapperCreated.
CREATE TABLE wrappers (
  address text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  supply numeric(78,0) NOT NULL,      -- shares outstanding (totalSupply = its ERC-1155 balance)
  holders int NOT NULL,               -- holders with a positive share balance
  harvested numeric(78,0) NOT NULL,   -- sats claimed from the token into the wrapper (totalHarvested)
  claimed numeric(78,0) NOT NULL,     -- sats paid out by unwraps (Σ Unwrapped.sats)
  acc0_e36 numeric(78,0) NOT NULL,    -- the token's accumulator of the series at creation (acc0): index = acc − acc0
  created_block bigint NOT NULL,
  PRIMARY KEY (address, block_from)
);
CREATE UNIQUE INDEX wrappers_current ON wrappers (address) WHERE block_to IS NULL;
CREATE INDEX wrappers_series ON wrappers (series_id, block_from);

-- Share balance of one holder in one wrapper (its accrued sats: floor(balance · index / 1e36), domain/wrapper.ts).
CREATE TABLE wrapper_positions (
  wrapper text NOT NULL,
  holder text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  balance numeric(78,0) NOT NULL,      -- shares (ERC-20 balanceOf)
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
  collateral numeric(78,0) NOT NULL,     -- shares
  borrow_shares numeric(78,0) NOT NULL,
  PRIMARY KEY (market_id, holder, block_from)
);
CREATE UNIQUE INDEX morpho_positions_current ON morpho_positions (market_id, holder) WHERE block_to IS NULL;
CREATE INDEX morpho_positions_holder ON morpho_positions (holder, block_from);


-- A SeriesValuationOracle of the indexed token (its Configured event: the effective configuration).
CREATE TABLE valuation_oracles (
  address text NOT NULL,
  block_from bigint NOT NULL,
  block_to bigint,
  series_id numeric(78,0) NOT NULL,
  wrapper text NOT NULL,               -- the share it prices
  hashprice_oracle text NOT NULL,
  loan_token text NOT NULL,            -- BTC-pegged
  loan_decimals int NOT NULL,
  window_days int NOT NULL,
  haircut_bps int NOT NULL,
  max_age_days int NOT NULL,
  grace_days int NOT NULL,
  decay_days int NOT NULL,
  max_growth_bps_per_day int NOT NULL,
  first_day bigint NOT NULL,
  -- the latest DayRecorded (0 / null: none yet)
  latest_day bigint NOT NULL,
  recorded_block bigint,               -- block of the latest DayRecorded
  days_used int,
  remaining_days int,
  halving_day bigint,                  -- estimated UTC day of the next halving
  post_halving_days int,
  avg_net_e18 numeric(78,0),
  avg_net_halved_e18 numeric(78,0),
  bound_e18 numeric(78,0),
  raw_value_e18 numeric(78,0),
  unit_value_e18 numeric(78,0),        -- the recorded unit value, sats × 1e18
  PRIMARY KEY (address, block_from)
);
CREATE UNIQUE INDEX valuation_oracles_current ON valuation_oracles (address) WHERE block_to IS NULL;
CREATE INDEX valuation_oracles_series ON valuation_oracles (series_id, block_from);

-- Every event of those contracts (Morpho: of the followed markets), decoded.
CREATE TABLE defi_events (
  block_number bigint NOT NULL,
  log_index int NOT NULL,
  tx_hash text NOT NULL,
  contract text NOT NULL,                -- wrapperFactory | wrapper | morpho | valuationOracle
  address text NOT NULL,
  event text NOT NULL,
  args jsonb NOT NULL,                   -- integers as strings
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX defi_events_address ON defi_events (address, block_number);
