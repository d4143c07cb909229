#include "server/keys/key_manager.hpp"

#include <openssl/crypto.h>

namespace tessera::keys {
namespace {

std::string_view as_view(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The private half is needed only while a key can still sign (pending or active).
Result<RingKey, KeyManagerError> open_record(const domain::SigningKeyRecord& record,
                                             const Sealer& sealer, bool needs_private,
                                             jose::Algorithm alg) {
  auto public_key = jose::parse_jwk(record.public_jwk_json);
  if (!public_key) return fail(KeyManagerError::undecryptable);
  RingKey key{
      record.id,         nullptr, std::move(*public_key), record.create_time, record.activate_time,
      record.retire_time};
  if (!needs_private) return key;
  auto pem = sealer.open(as_view(record.encrypted_private_key), record.id);
  if (!pem) return fail(KeyManagerError::undecryptable);
  auto private_key = jose::PrivateKey::from_pem(*pem, alg);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!private_key) return fail(KeyManagerError::undecryptable);
  key.signer = std::make_shared<const jose::JwsSigner>(std::move(*private_key), record.id);
  return key;
}

}  // namespace

std::string_view to_string(KeyManagerError error) {
  switch (error) {
    case KeyManagerError::unavailable:
      return "key store unavailable";
    case KeyManagerError::crypto_failure:
      return "key generation failed";
    case KeyManagerError::undecryptable:
      return "a stored signing key cannot be decrypted with this master key";
  }
  return "key error";
}

KeyManager::KeyManager(store::Store& store, const Sealer& sealer, KeyRing& ring,
                       domain::IdGenerator& ids)
    : store_(store), sealer_(sealer), ring_(ring), ids_(ids) {}

Result<void, KeyManagerError> KeyManager::load(domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  return load_locked(now);
}

Result<void, KeyManagerError> KeyManager::load_locked(domain::Timestamp now) {
  auto records = store_.list_signing_keys();
  if (!records) return fail(KeyManagerError::unavailable);
  std::vector<RingKey> keys;
  for (const auto& record : *records) {
    const auto alg = jose::parse_algorithm(record.algorithm);
    if (!alg) return fail(KeyManagerError::undecryptable);
    const bool can_sign = !record.retire_time || *record.retire_time > now;
    auto key = open_record(record, sealer_, can_sign, *alg);
    if (!key) return fail(key.error());
    keys.push_back(std::move(*key));
  }
  ring_.set_keys(std::move(keys), now);
  return {};
}

Result<domain::SigningKeyRecord, KeyManagerError> KeyManager::create_record(
    jose::Algorithm algorithm, domain::Timestamp now, domain::Timestamp activate) {
  auto private_key = jose::PrivateKey::generate(algorithm);
  if (!private_key) return fail(KeyManagerError::crypto_failure);
  domain::SigningKeyRecord record;
  record.id = ids_.next(domain::IdKind::signing_key);
  auto public_key = private_key->public_key(record.id);
  std::string pem = private_key->to_pem();
  auto sealed = sealer_.seal(pem, record.id);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!public_key || !sealed) return fail(KeyManagerError::crypto_failure);
  record.algorithm = std::string(jose::to_string(algorithm));
  record.encrypted_private_key.assign(sealed->begin(), sealed->end());
  record.public_jwk_json = public_key->to_jwk_json();
  record.create_time = now;
  record.activate_time = activate;
  return record;
}

Result<void, KeyManagerError> KeyManager::ensure_signing_key(jose::Algorithm algorithm,
                                                             domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  if (ring_.active_signer()) return {};
  auto record = create_record(algorithm, now, now);
  if (!record) return fail(record.error());
  // Conditional, so that nodes starting together on an empty database add one key, not one
  // each; the losers load the winner's key below.
  if (!store_.insert_first_signing_key(*record, now)) return fail(KeyManagerError::unavailable);
  return load_locked(now);
}

Result<std::string, KeyManagerError> KeyManager::rotate(jose::Algorithm algorithm,
                                                        std::chrono::seconds publish_delay,
                                                        domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  const domain::Timestamp activate = now + publish_delay;
  auto record = create_record(algorithm, now, activate);
  if (!record) return fail(record.error());
  // One transaction inserts the key and retires the others at its activation, serialized with
  // rotations on other nodes: each rotation adds exactly one key, and the change feed tells every
  // node to publish it long before it signs (publish_delay must exceed that propagation; see
  // docs/deployment.md).
  if (!store_.rotate_signing_key(*record)) return fail(KeyManagerError::unavailable);
  if (auto loaded = load_locked(now); !loaded) return fail(loaded.error());
  return record->id;
}

Result<void, KeyManagerError> KeyManager::prune(domain::Timestamp now) {
  std::lock_guard lock(mutex_);
  auto records = store_.list_signing_keys();
  if (!records) return fail(KeyManagerError::unavailable);
  bool removed = false;
  for (const auto& record : *records) {
    if (record.retire_time && *record.retire_time + ring_.max_token_lifetime() <= now) {
      if (!store_.delete_signing_key(record.id)) return fail(KeyManagerError::unavailable);
      removed = true;
    }
  }
  if (removed) return load_locked(now);
  ring_.refresh(now);
  return {};
}

}  // namespace tessera::keys
