#include "server/store/addresses.hpp"
#include "server/store/change_hub.hpp"
#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres::queries {
namespace {

using domain::IdKind;
using domain::SigningKeyRecord;

SigningKeyRecord read_key(const Rows& rows, int row) {
  SigningKeyRecord key;
  key.id = domain::format_id(IdKind::signing_key, static_cast<std::uint64_t>(rows.int64(row, 0)));
  key.algorithm = rows.text(row, 1);
  key.encrypted_private_key = rows.bytes(row, 2);
  key.public_jwk_json = rows.text(row, 3);
  key.create_time = rows.time(row, 4);
  key.activate_time = rows.time(row, 5);
  key.retire_time = rows.optional_time(row, 6);
  return key;
}

Bytes as_bytes(std::string_view bytes) {
  return Bytes{{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}};
}

}  // namespace

// --- Change payloads -----------------------------------------------------------------------------
// "c:<client id>", "o:<organization id>", "k", "r": short, because a NOTIFY payload is capped at
// 8000 bytes and every listening session receives each one.

std::string encode_change(const Change& change) {
  switch (change.kind) {
    case Change::Kind::client:
      return "c:" + change.id;
    case Change::Kind::organization_deleted:
      return "o:" + change.id;
    case Change::Kind::signing_keys:
      return "k";
    case Change::Kind::resync:
      return "r";
  }
  return "r";
}

std::optional<Change> decode_change(std::string_view payload) {
  if (payload == "k") return signing_keys_changed();
  if (payload == "r") return Change{Change::Kind::resync, {}};
  if (payload.starts_with("c:")) return client_changed(payload.substr(2));
  if (payload.starts_with("o:")) return organization_deleted(payload.substr(2));
  return std::nullopt;  // from a newer tessera: ignored
}

void notify(Connection& db, const Change& change) {
  db.query("SELECT pg_notify($1, $2)", kChangeChannel, encode_change(change));
}

// --- Signing keys --------------------------------------------------------------------------------

StoreResult<void> insert_signing_key(Connection& db, const SigningKeyRecord& key) {
  const auto id = number_of(IdKind::signing_key, key.id);
  if (!id) return fail(StoreError::failed_precondition);
  db.query(
      "INSERT INTO signing_keys (id, algorithm, encrypted_private_key, public_jwk, "
      "create_time, activate_time, retire_time) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      *id, key.algorithm, Bytes{key.encrypted_private_key}, key.public_jwk_json, key.create_time,
      key.activate_time, key.retire_time);
  notify(db, signing_keys_changed());
  return {};
}

StoreResult<bool> insert_first_signing_key(Connection& db, const SigningKeyRecord& key,
                                           domain::Timestamp now) {
  // Nodes starting together on an empty database queue here; the first inserts, the others then
  // see its key and insert nothing.
  db.query("SELECT pg_advisory_xact_lock($1)", kSigningKeyLock);
  if (!db.query("SELECT 1 FROM signing_keys WHERE retire_time IS NULL OR retire_time > $1 "
                "LIMIT 1",
                now)
           .empty()) {
    return false;
  }
  auto inserted = insert_signing_key(db, key);
  if (!inserted) return fail(inserted.error());
  return true;
}

StoreResult<void> rotate_signing_key(Connection& db, const SigningKeyRecord& key) {
  db.query("SELECT pg_advisory_xact_lock($1)", kSigningKeyLock);
  auto inserted = insert_signing_key(db, key);
  if (!inserted) return inserted;
  db.query(
      "UPDATE signing_keys SET retire_time = $2 WHERE id <> $1 AND "
      "(retire_time IS NULL OR retire_time > $2)",
      *number_of(IdKind::signing_key, key.id), key.activate_time);
  return {};
}

StoreResult<std::vector<SigningKeyRecord>> list_signing_keys(Connection& db) {
  const auto rows = db.query(
      "SELECT id, algorithm, encrypted_private_key, public_jwk, create_time, activate_time, "
      "retire_time FROM signing_keys ORDER BY id");
  std::vector<SigningKeyRecord> keys;
  for (int row = 0; row < rows.size(); ++row) {
    keys.push_back(read_key(rows, row));
  }
  return keys;
}

StoreResult<void> set_signing_key_retire_time(Connection& db, std::string_view id,
                                              std::optional<domain::Timestamp> retire_time) {
  const auto number = number_of(IdKind::signing_key, id);
  if (!number) return fail(StoreError::not_found);
  if (db.query("UPDATE signing_keys SET retire_time = $2 WHERE id = $1", *number, retire_time)
          .affected() == 0) {
    return fail(StoreError::not_found);
  }
  notify(db, signing_keys_changed());
  return {};
}

StoreResult<void> delete_signing_key(Connection& db, std::string_view id) {
  const auto number = number_of(IdKind::signing_key, id);
  if (!number) return fail(StoreError::not_found);
  if (db.query("DELETE FROM signing_keys WHERE id = $1", *number).affected() == 0) {
    return fail(StoreError::not_found);
  }
  notify(db, signing_keys_changed());
  return {};
}

// --- Settings ------------------------------------------------------------------------------------

StoreResult<std::optional<std::string>> select_setting(Connection& db, std::string_view key) {
  const auto rows = db.query("SELECT value FROM settings WHERE key = $1", key);
  if (rows.empty()) return std::optional<std::string>();
  const auto bytes = rows.bytes(0, 0);
  return std::optional<std::string>(std::string(bytes.begin(), bytes.end()));
}

StoreResult<void> upsert_setting(Connection& db, std::string_view key, std::string_view value) {
  db.query(
      "INSERT INTO settings (key, value) VALUES ($1, $2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key, as_bytes(value));
  return {};
}

StoreResult<std::string> insert_setting_if_absent(Connection& db, std::string_view key,
                                                  std::string_view value) {
  db.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key,
           as_bytes(value));
  // READ COMMITTED: this statement sees the row a concurrent first start just committed.
  auto stored = select_setting(db, key);
  if (!stored || !*stored) return fail(StoreError::unavailable);
  return std::move(**stored);
}

}  // namespace tessera::store::postgres::queries
