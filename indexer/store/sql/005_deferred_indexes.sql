-- Secondary indexes set aside during a cold backfill (indexer/store/store.ts, deferIndexes): only the API reads them,
-- and building one once over the loaded rows costs a fraction of maintaining it row by row. Each row is an index
-- dropped when the backfill began, with the statement that recreates it; the sync recreates them (restoreIndexes), then
-- empties this table, before it indexes the unfinalized tail or reports being live.
CREATE TABLE deferred_indexes (
  name text PRIMARY KEY,
  definition text NOT NULL
);
