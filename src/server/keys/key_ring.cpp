#include "server/keys/key_ring.hpp"

#include <algorithm>

namespace tessera::keys {

std::string_view to_string(KeyState state) {
  switch (state) {
    case KeyState::pending:
      return "PENDING";
    case KeyState::active:
      return "ACTIVE";
    case KeyState::retired:
      return "RETIRED";
    case KeyState::expired:
      return "EXPIRED";
  }
  return "UNKNOWN";
}

KeyRing::KeyRing(std::chrono::seconds max_token_lifetime)
    : max_token_lifetime_(max_token_lifetime) {
  std::lock_guard lock(keys_mutex_);
  rebuild(domain::now());
}

KeyState KeyRing::state_of(const RingKey& key, domain::Timestamp now) const {
  if (key.retire_time && *key.retire_time <= now) {
    return *key.retire_time + max_token_lifetime_ <= now ? KeyState::expired : KeyState::retired;
  }
  return key.activate_time <= now ? KeyState::active : KeyState::pending;
}

void KeyRing::set_keys(std::vector<RingKey> keys, domain::Timestamp now) {
  std::lock_guard lock(keys_mutex_);
  keys_ = std::move(keys);
  rebuild(now);
}

void KeyRing::refresh(domain::Timestamp now) {
  std::lock_guard lock(keys_mutex_);
  rebuild(now);
}

void KeyRing::rebuild(domain::Timestamp now) {
  auto next = std::make_shared<Snapshot>();
  // The newest key that has reached its activation time signs; an older key whose successor is
  // already active must not, even if its retire_time was never written.
  const RingKey* signing = nullptr;
  for (const auto& key : keys_) {
    if (state_of(key, now) != KeyState::active || !key.signer) continue;
    if (signing == nullptr || key.activate_time > signing->activate_time) signing = &key;
  }
  if (signing != nullptr) next->signer = signing->signer;

  std::vector<const RingKey*> published;
  for (const auto& key : keys_) {
    if (state_of(key, now) != KeyState::expired) published.push_back(&key);
  }
  auto rank = [&](const RingKey* key) {
    if (key == signing) return 0;
    return state_of(*key, now) == KeyState::pending ? 1 : 2;
  };
  std::stable_sort(published.begin(), published.end(),
                   [&](const RingKey* a, const RingKey* b) { return rank(a) < rank(b); });
  auto jwks = std::make_shared<jose::Jwks>();
  for (const RingKey* key : published)
    jwks->keys.push_back(key->public_key);
  next->jwks_json = std::make_shared<const std::string>(jose::to_jwks_json(jwks->keys));
  next->published = std::move(jwks);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

std::shared_ptr<const jose::JwsSigner> KeyRing::active_signer() const {
  return snapshot()->signer;
}

std::shared_ptr<const std::string> KeyRing::jwks_json() const {
  return snapshot()->jwks_json;
}

std::shared_ptr<const jose::Jwks> KeyRing::published_keys() const {
  return snapshot()->published;
}

std::vector<KeyInfo> KeyRing::describe(domain::Timestamp now) const {
  std::lock_guard lock(keys_mutex_);
  std::vector<KeyInfo> out;
  for (const auto& key : keys_) {
    KeyInfo info{key.id,          key.public_key.algorithm(), state_of(key, now),
                 key.create_time, key.activate_time,          key.retire_time,
                 std::nullopt};
    if (key.retire_time) info.unpublish_time = *key.retire_time + max_token_lifetime_;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace tessera::keys
