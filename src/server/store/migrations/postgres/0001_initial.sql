-- tessera PostgreSQL schema, version 1. Same model as the SQLite schema (migrations/sqlite/):
--
-- Ids: the numeric part of "<prefix>_<decimal>" is the bigint primary key; the table implies the
-- prefix (clients: "m2morg_", or "skc_" when organization_id IS NULL).
-- Times: bigint microseconds since the Unix epoch, UTC. NULL means "never".
-- Lists and maps: JSON text, read and written only by the store (text, not jsonb, so that what is
-- read back is byte for byte what was written).

CREATE TABLE organizations (
  id            bigint PRIMARY KEY,          -- org_<id>
  display_name  text   NOT NULL,
  external_id   text   UNIQUE,               -- NULL when absent; unique when present
  metadata      text   NOT NULL,             -- JSON object of strings
  client_count  bigint NOT NULL DEFAULT 0,   -- kept by triggers below: total_size of client lists
  create_time   bigint NOT NULL,
  update_time   bigint NOT NULL
);

CREATE TABLE clients (
  id              bigint PRIMARY KEY,        -- m2morg_<id>, or skc_<id> for environment clients
  organization_id bigint REFERENCES organizations (id) ON DELETE CASCADE,
  name            text   NOT NULL,
  description     text   NOT NULL,
  scopes          text   NOT NULL,           -- JSON array of strings
  audience        text   NOT NULL,           -- JSON array of strings
  custom_claims   text   NOT NULL,           -- JSON array of [key, value], in order
  expiry_seconds  bigint NOT NULL,
  create_time     bigint NOT NULL,
  update_time     bigint NOT NULL
);

CREATE INDEX clients_by_organization ON clients (organization_id, id);

CREATE TABLE secrets (
  id              bigint PRIMARY KEY,        -- sks_<id>
  client_id       bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  hash            bytea  NOT NULL CHECK (length(hash) = 32),  -- keyed hash, never the secret
  suffix          text   NOT NULL,
  status          text   NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  expire_time     bigint,
  last_used_time  bigint,
  create_time     bigint NOT NULL,
  update_time     bigint NOT NULL
);

CREATE INDEX secrets_by_client ON secrets (client_id, id);

CREATE TABLE signing_keys (
  id                    bigint PRIMARY KEY,  -- snk_<id>
  algorithm             text   NOT NULL,     -- "RS256", "ES256", "EdDSA"
  encrypted_private_key bytea  NOT NULL,     -- encrypted under the master key
  public_jwk            text   NOT NULL,
  create_time           bigint NOT NULL,
  activate_time         bigint NOT NULL,
  retire_time           bigint
);

CREATE TABLE settings (
  key   text  PRIMARY KEY,
  value bytea NOT NULL
);

-- Row counts that list calls report as total_size, kept current by triggers so that a count
-- never scans a million rows.
CREATE TABLE counters (
  name  text   PRIMARY KEY,
  value bigint NOT NULL
);

INSERT INTO counters (name, value) VALUES ('organizations', 0);

CREATE FUNCTION count_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE counters SET value = value + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
    WHERE name = 'organizations';
  RETURN NULL;
END $$;

CREATE TRIGGER organization_counted AFTER INSERT OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION count_organizations();

CREATE FUNCTION count_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.organization_id IS NOT NULL THEN
    UPDATE organizations SET client_count = client_count + 1 WHERE id = NEW.organization_id;
  ELSIF TG_OP = 'DELETE' AND OLD.organization_id IS NOT NULL THEN
    UPDATE organizations SET client_count = client_count - 1 WHERE id = OLD.organization_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER client_counted AFTER INSERT OR DELETE ON clients
  FOR EACH ROW EXECUTE FUNCTION count_clients();

-- Append-only. Ids are time-ordered, so id order is time order; lists read it newest first.
CREATE TABLE audit_events (
  id              bigint PRIMARY KEY,        -- aud_<id>
  time            bigint NOT NULL,
  actor           text   NOT NULL,           -- client id, or '' when unauthenticated
  action          text   NOT NULL,           -- "client.create", "secret.delete", ...
  target_id       text   NOT NULL,
  organization_id text   NOT NULL,           -- '' when none
  source_address  text   NOT NULL,
  outcome         text   NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE'))
);

CREATE INDEX audit_events_by_organization ON audit_events (organization_id, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor, id);
CREATE INDEX audit_events_by_target ON audit_events (target_id, id);

-- One row per node id ever leased; a lease is live while expire_time is in the future.
CREATE TABLE node_leases (
  node_id     integer PRIMARY KEY CHECK (node_id BETWEEN 0 AND 65535),
  holder      text    NOT NULL,
  expire_time bigint  NOT NULL
);

-- Brute-force counters shared by the nodes. UNLOGGED: no WAL, so cheap to bump; a database crash
-- empties the table, which forgives at most one window's failures.
CREATE UNLOGGED TABLE failure_counters (
  key          text   PRIMARY KEY,
  window_start bigint NOT NULL,
  window_end   bigint NOT NULL,
  count        bigint NOT NULL
);

CREATE INDEX failure_counters_by_end ON failure_counters (window_end);
