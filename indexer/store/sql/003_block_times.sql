-- Timestamps of the blocks that hold indexed events: every event row of the API carries its block's time
-- (`timestamp`, ISO 8601). Written with the range's events, removed by a rollback like them. A store indexed before
-- this table existed is filled in at start-up (the sync reads the missing headers once).
CREATE TABLE block_times (
  number bigint PRIMARY KEY,
  timestamp bigint NOT NULL   -- unix seconds
);
