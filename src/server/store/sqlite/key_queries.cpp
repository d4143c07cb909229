#include "server/domain/ids.hpp"
#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {
namespace {

using domain::IdKind;
using domain::SigningKeyRecord;

std::optional<std::int64_t> key_number(std::string_view id) {
  const auto value = domain::parse_id(IdKind::signing_key, id);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

SigningKeyRecord read_key(const Statement& row) {
  SigningKeyRecord key;
  key.id = domain::format_id(IdKind::signing_key, static_cast<std::uint64_t>(row.int64(0)));
  key.algorithm = row.text(1);
  key.encrypted_private_key = row.blob(2);
  key.public_jwk_json = row.text(3);
  key.create_time = row.time(4);
  key.activate_time = row.time(5);
  key.retire_time = row.optional_time(6);
  return key;
}

std::string to_bytes(const std::vector<std::uint8_t>& blob) {
  return std::string(blob.begin(), blob.end());
}

Blob as_blob(std::string_view bytes) {
  return Blob{{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}};
}

}  // namespace

StoreResult<void> insert_signing_key(Connection& db, const SigningKeyRecord& key) {
  const auto id = key_number(key.id);
  if (!id) return fail(StoreError::failed_precondition);
  db.query(
        "INSERT INTO signing_keys (id, algorithm, encrypted_private_key, public_jwk, "
        "create_time, activate_time, retire_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        *id, key.algorithm, Blob{key.encrypted_private_key}, key.public_jwk_json, key.create_time,
        key.activate_time, key.retire_time)
      .run();
  return {};
}

StoreResult<bool> insert_first_signing_key(Connection& db, const SigningKeyRecord& key,
                                           domain::Timestamp now) {
  // The writer runs one transaction at a time, and BEGIN IMMEDIATE keeps other processes out.
  if (db.scalar("SELECT EXISTS (SELECT 1 FROM signing_keys WHERE retire_time IS NULL OR "
                "retire_time > ?1)",
                now)) {
    return false;
  }
  auto inserted = insert_signing_key(db, key);
  if (!inserted) return fail(inserted.error());
  return true;
}

StoreResult<void> rotate_signing_key(Connection& db, const SigningKeyRecord& key) {
  auto inserted = insert_signing_key(db, key);
  if (!inserted) return inserted;
  db.query(
        "UPDATE signing_keys SET retire_time = ?2 WHERE id <> ?1 AND "
        "(retire_time IS NULL OR retire_time > ?2)",
        *key_number(key.id), key.activate_time)
      .run();
  return {};
}

StoreResult<std::vector<SigningKeyRecord>> list_signing_keys(Connection& db) {
  auto rows = db.query(
      "SELECT id, algorithm, encrypted_private_key, public_jwk, create_time, activate_time, "
      "retire_time FROM signing_keys ORDER BY id");
  std::vector<SigningKeyRecord> keys;
  while (rows.step()) {
    keys.push_back(read_key(rows));
  }
  return keys;
}

StoreResult<void> set_signing_key_retire_time(Connection& db, std::string_view id,
                                              std::optional<domain::Timestamp> retire_time) {
  const auto number = key_number(id);
  if (!number) return fail(StoreError::not_found);
  db.query("UPDATE signing_keys SET retire_time = ?2 WHERE id = ?1", *number, retire_time).run();
  if (db.changes() == 0) return fail(StoreError::not_found);
  return {};
}

StoreResult<void> delete_signing_key(Connection& db, std::string_view id) {
  const auto number = key_number(id);
  if (!number) return fail(StoreError::not_found);
  db.query("DELETE FROM signing_keys WHERE id = ?1", *number).run();
  if (db.changes() == 0) return fail(StoreError::not_found);
  return {};
}

StoreResult<std::optional<std::string>> select_setting(Connection& db, std::string_view key) {
  auto row = db.query("SELECT value FROM settings WHERE key = ?1", key);
  if (!row.step()) return std::optional<std::string>();
  return std::optional<std::string>(to_bytes(row.blob(0)));
}

StoreResult<void> upsert_setting(Connection& db, std::string_view key, std::string_view value) {
  db.query(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key, as_blob(value))
      .run();
  return {};
}

StoreResult<std::string> insert_setting_if_absent(Connection& db, std::string_view key,
                                                  std::string_view value) {
  db.query("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING", key,
           as_blob(value))
      .run();
  auto stored = select_setting(db, key);
  if (!stored || !*stored) return fail(StoreError::unavailable);
  return std::move(**stored);
}

}  // namespace tessera::store::sqlite::queries
