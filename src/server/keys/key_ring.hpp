// The signing keys in memory: which key signs now, which are published, and the JWKS document.
//
// A key's life: created (published in the JWKS at once) -> active from activate_time (signs) ->
// retired at retire_time (its successor's activate_time; stops signing) -> unpublished once every
// token it can have signed has expired (retire_time + the longest token lifetime).
// Reads copy an immutable snapshot under a lock held only for that copy: the token endpoint never
// waits for a rotation, which builds its snapshot outside that lock.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/domain/time.hpp"
#include "tessera/jose/jws.hpp"
#include "tessera/jose/keys.hpp"

namespace tessera::keys {

struct RingKey {
  std::string id;                                 // snk_, the "kid"
  std::shared_ptr<const jose::JwsSigner> signer;  // null once the private half is no longer needed
  jose::PublicKey public_key;
  domain::Timestamp create_time;
  domain::Timestamp activate_time;
  std::optional<domain::Timestamp> retire_time;
};

enum class KeyState { pending, active, retired, expired };
std::string_view to_string(KeyState state);

struct KeyInfo {
  std::string id;
  jose::Algorithm algorithm;
  KeyState state;
  domain::Timestamp create_time;
  domain::Timestamp activate_time;
  std::optional<domain::Timestamp> retire_time;
  std::optional<domain::Timestamp> unpublish_time;  // retire_time + the longest token lifetime
};

class KeyRing {
 public:
  explicit KeyRing(std::chrono::seconds max_token_lifetime);

  // Replaces the keys (after loading or rotating) and recomputes the snapshot for `now`.
  void set_keys(std::vector<RingKey> keys, domain::Timestamp now);
  // Recomputes which key signs and which are published; cheap, called on a timer so that a
  // pre-published key starts signing at its activate_time.
  void refresh(domain::Timestamp now);

  std::shared_ptr<const jose::JwsSigner> active_signer() const;
  // {"keys":[...]}: active, then pending, then retired keys. Public members only.
  std::shared_ptr<const std::string> jwks_json() const;
  std::shared_ptr<const jose::Jwks> published_keys() const;

  std::vector<KeyInfo> describe(domain::Timestamp now) const;
  KeyState state_of(const RingKey& key, domain::Timestamp now) const;
  std::chrono::seconds max_token_lifetime() const { return max_token_lifetime_; }

 private:
  struct Snapshot {
    std::shared_ptr<const jose::JwsSigner> signer;
    std::shared_ptr<const std::string> jwks_json;
    std::shared_ptr<const jose::Jwks> published;
  };

  std::shared_ptr<const Snapshot> snapshot() const;
  void rebuild(domain::Timestamp now);  // needs keys_mutex_

  const std::chrono::seconds max_token_lifetime_;
  mutable std::mutex keys_mutex_;
  std::vector<RingKey> keys_;
  // A mutex, not std::atomic<std::shared_ptr>: libstdc++ 12 implements the latter with a lock bit
  // that ThreadSanitizer cannot see, so every reader looked like a race. Holding a mutex for one
  // reference-count increment costs the same here and can be checked.
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace tessera::keys
