-- The writer's (`sync`) live status, for API replicas (`serve`) that read this database without syncing: the head it
-- last read and when, its phase, a fatal error, the cross-check in progress. `reorgs` counts rollbacks (incremented in
-- the rollback's own transaction): replicas drop their per-block caches when it changes.
CREATE TABLE sync_status (
  id int PRIMARY KEY CHECK (id = 1),
  chain_id bigint,
  head bigint,
  head_at bigint,              -- ms since epoch: when the writer last read the head
  head_advanced_at bigint,     -- ms since epoch: when the head last passed its highest value
  finalized bigint,
  phase text,
  fatal text,
  last_error text,
  inconsistent text,
  reorgs int NOT NULL DEFAULT 0,
  updated_at bigint            -- ms since epoch
);
