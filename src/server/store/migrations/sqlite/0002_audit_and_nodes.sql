-- tessera SQLite schema, version 2: the audit log and node id leases.

-- Append-only. Ids are time-ordered, so id order is time order; lists read it newest first.
CREATE TABLE audit_events (
  id              INTEGER PRIMARY KEY,        -- aud_<id>
  time            INTEGER NOT NULL,
  actor           TEXT    NOT NULL,           -- client id, or '' when unauthenticated
  action          TEXT    NOT NULL,           -- "client.create", "secret.delete", ...
  target_id       TEXT    NOT NULL,
  organization_id TEXT    NOT NULL,           -- '' when none
  source_address  TEXT    NOT NULL,
  outcome         TEXT    NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE'))
) STRICT;

CREATE INDEX audit_events_by_organization ON audit_events (organization_id, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor, id);
CREATE INDEX audit_events_by_target ON audit_events (target_id, id);

-- One row per node id ever leased; a lease is live while expire_time is in the future.
CREATE TABLE node_leases (
  node_id     INTEGER PRIMARY KEY CHECK (node_id BETWEEN 0 AND 65535),
  holder      TEXT    NOT NULL,
  expire_time INTEGER NOT NULL
) STRICT;
