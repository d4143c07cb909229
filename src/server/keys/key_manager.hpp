// Signing keys on disk and in the ring: generation, encryption at rest, loading, rotation with
// pre-publication, and pruning of keys whose tokens have all expired.
#pragma once

#include <chrono>
#include <mutex>

#include "server/domain/ids.hpp"
#include "server/keys/key_ring.hpp"
#include "server/keys/master_key.hpp"
#include "server/store/store.hpp"

namespace tessera::keys {

enum class KeyManagerError {
  unavailable,     // the store could not answer
  crypto_failure,  // key generation or sealing failed
  undecryptable,   // a stored private key does not open under this master key
};

std::string_view to_string(KeyManagerError error);

// The HKDF label of the key that seals signing keys.
inline constexpr std::string_view kKeySealingLabel = "tessera/v1/signing-key-sealing";

class KeyManager {
 public:
  KeyManager(store::Store& store, const Sealer& sealer, KeyRing& ring, domain::IdGenerator& ids);

  // Reads every key from the store into the ring.
  Result<void, KeyManagerError> load(domain::Timestamp now);
  // On an empty ring (first start), creates a key that signs at once.
  Result<void, KeyManagerError> ensure_signing_key(jose::Algorithm algorithm,
                                                   domain::Timestamp now);
  // Creates a key that is published now and signs from now + publish_delay; every older key retires
  // at that moment. Returns the new key's id.
  Result<std::string, KeyManagerError> rotate(jose::Algorithm algorithm,
                                              std::chrono::seconds publish_delay,
                                              domain::Timestamp now);
  // Deletes keys no token in circulation can have been signed with.
  Result<void, KeyManagerError> prune(domain::Timestamp now);

 private:
  Result<domain::SigningKeyRecord, KeyManagerError> create_record(jose::Algorithm algorithm,
                                                                  domain::Timestamp now,
                                                                  domain::Timestamp activate);
  Result<void, KeyManagerError> load_locked(domain::Timestamp now);

  store::Store& store_;
  const Sealer& sealer_;
  KeyRing& ring_;
  domain::IdGenerator& ids_;
  std::mutex mutex_;  // one rotation at a time in this process
};

}  // namespace tessera::keys
