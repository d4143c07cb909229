-- tessera SQLite schema, version 1.
--
-- Ids: the numeric part of "<prefix>_<decimal>" is the INTEGER PRIMARY KEY; the table implies the
-- prefix (clients: "m2morg_", or "skc_" when organization_id IS NULL). Integer keys keep lookups and
-- id order (creation order) cheap and independent of the digit count.
-- Times: INTEGER microseconds since the Unix epoch, UTC. NULL means "never".
-- Lists and maps: JSON text, read and written only by the store.

CREATE TABLE organizations (
  id            INTEGER PRIMARY KEY,        -- org_<id>
  display_name  TEXT    NOT NULL,
  external_id   TEXT    UNIQUE,             -- NULL when absent; unique when present
  metadata      TEXT    NOT NULL,           -- JSON object of strings
  client_count  INTEGER NOT NULL DEFAULT 0, -- kept by triggers below: total_size of client lists
  create_time   INTEGER NOT NULL,
  update_time   INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
  id              INTEGER PRIMARY KEY,      -- m2morg_<id>, or skc_<id> for environment clients
  organization_id INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
  name            TEXT    NOT NULL,
  description     TEXT    NOT NULL,
  scopes          TEXT    NOT NULL,         -- JSON array of strings
  audience        TEXT    NOT NULL,         -- JSON array of strings
  custom_claims   TEXT    NOT NULL,         -- JSON array of [key, value], in order
  expiry_seconds  INTEGER NOT NULL,
  create_time     INTEGER NOT NULL,
  update_time     INTEGER NOT NULL
) STRICT;

-- An organization's clients in id order: keyset pagination and cascade deletes.
CREATE INDEX clients_by_organization ON clients (organization_id, id);

CREATE TABLE secrets (
  id              INTEGER PRIMARY KEY,      -- sks_<id>
  client_id       INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  hash            BLOB    NOT NULL CHECK (length(hash) = 32),  -- keyed hash, never the secret
  suffix          TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  expire_time     INTEGER,
  last_used_time  INTEGER,
  create_time     INTEGER NOT NULL,
  update_time     INTEGER NOT NULL
) STRICT;

CREATE INDEX secrets_by_client ON secrets (client_id, id);

CREATE TABLE signing_keys (
  id                    INTEGER PRIMARY KEY,  -- snk_<id>
  algorithm             TEXT    NOT NULL,     -- "RS256", "ES256", "EdDSA"
  encrypted_private_key BLOB    NOT NULL,     -- encrypted under the master key
  public_jwk            TEXT    NOT NULL,
  create_time           INTEGER NOT NULL,
  activate_time         INTEGER NOT NULL,
  retire_time           INTEGER
) STRICT;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- Row counts that list calls report as total_size, kept current by triggers so that a count
-- never scans a million rows.
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO counters (name, value) VALUES ('organizations', 0);

CREATE TRIGGER organization_inserted AFTER INSERT ON organizations BEGIN
  UPDATE counters SET value = value + 1 WHERE name = 'organizations';
END;

CREATE TRIGGER organization_deleted AFTER DELETE ON organizations BEGIN
  UPDATE counters SET value = value - 1 WHERE name = 'organizations';
END;

CREATE TRIGGER client_inserted AFTER INSERT ON clients WHEN NEW.organization_id IS NOT NULL BEGIN
  UPDATE organizations SET client_count = client_count + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER client_deleted AFTER DELETE ON clients WHEN OLD.organization_id IS NOT NULL BEGIN
  UPDATE organizations SET client_count = client_count - 1 WHERE id = OLD.organization_id;
END;
