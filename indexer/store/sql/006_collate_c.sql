-- Address and key columns compare byte by byte (COLLATE "C"). Their values are lowercase 0x-hex (or ASCII keys), which
-- sort the same under every collation, but a database created with a locale (C.UTF-8, en_US.UTF-8, ...) compares text
-- through the C library's strcoll, without abbreviated sort keys: the primary keys and `*_current` indexes the writer
-- maintains, and the API indexes built at the end of a cold backfill, cost ~2x more to build over text keys. Equality,
-- order and every query stay the same; a store made before this migration has these indexes rebuilt once.
ALTER TABLE farms ALTER COLUMN address TYPE text COLLATE "C";
ALTER TABLE series ALTER COLUMN farm TYPE text COLLATE "C";
ALTER TABLE positions ALTER COLUMN holder TYPE text COLLATE "C";
ALTER TABLE farm_pools ALTER COLUMN farm TYPE text COLLATE "C", ALTER COLUMN asset TYPE text COLLATE "C";
ALTER TABLE kv ALTER COLUMN contract TYPE text COLLATE "C", ALTER COLUMN key TYPE text COLLATE "C";
ALTER TABLE transfers ALTER COLUMN from_address TYPE text COLLATE "C", ALTER COLUMN to_address TYPE text COLLATE "C";
ALTER TABLE settlements ALTER COLUMN farm TYPE text COLLATE "C";
ALTER TABLE claims ALTER COLUMN holder TYPE text COLLATE "C";
ALTER TABLE farm_flows ALTER COLUMN farm TYPE text COLLATE "C";
ALTER TABLE uptimes ALTER COLUMN farm TYPE text COLLATE "C";
ALTER TABLE wrappers ALTER COLUMN address TYPE text COLLATE "C";
ALTER TABLE wrapper_positions ALTER COLUMN wrapper TYPE text COLLATE "C", ALTER COLUMN holder TYPE text COLLATE "C";
ALTER TABLE morpho_markets ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE morpho_positions ALTER COLUMN market_id TYPE text COLLATE "C", ALTER COLUMN holder TYPE text COLLATE "C";
ALTER TABLE valuation_oracles ALTER COLUMN address TYPE text COLLATE "C";
ALTER TABLE defi_events ALTER COLUMN address TYPE text COLLATE "C";
