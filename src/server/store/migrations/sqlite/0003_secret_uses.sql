-- tessera SQLite schema, version 3: last_used_time moves from secrets to a table of its own.

-- The background flush (auth::LastUsedTracker) writes one row per secret used since the last
-- flush. A secrets row is about 100 bytes, so with many clients a flush dirtied about one page of
-- secrets per use, and the WAL and the checkpoint wrote each of them: with 1,000,000 clients and
-- 25,000 uses, about 16,000 pages (64 MB) and 0.5 s of CPU per flush. Rows here are a few bytes,
-- 1,000,000 of them fit in about 3,500 pages; the writer's CPU for the same load halved. No row:
-- never used.
CREATE TABLE secret_uses (
  secret_id       INTEGER PRIMARY KEY REFERENCES secrets (id) ON DELETE CASCADE,
  last_used_time  INTEGER NOT NULL
) STRICT;

INSERT INTO secret_uses (secret_id, last_used_time)
  SELECT id, last_used_time FROM secrets WHERE last_used_time IS NOT NULL;

ALTER TABLE secrets DROP COLUMN last_used_time;
