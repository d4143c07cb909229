// Client authentication for the token endpoint: find the client (memory first, the store on a
// miss) and check the presented secret against its active, unexpired secrets.
//
// Every failure looks the same to the caller (unknown client, wrong secret, deleted or expired
// secret): one HMAC is computed either way, and comparisons are constant-time.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/auth/client_cache.hpp"
#include "server/auth/secrets.hpp"
#include "server/store/store.hpp"
#include "tessera/result.hpp"

namespace tessera::auth {

enum class AuthFailure {
  invalid_client,  // any credential problem, deliberately not more precise
  unavailable,     // the store could not answer: a 503, never an invalid_client
};

struct Authenticated {
  std::shared_ptr<const domain::ClientCredentials> client;
  std::string secret_id;  // which secret matched (for last_used_time)
};

class ClientAuthenticator {
 public:
  ClientAuthenticator(store::Store& store, ClientCache& cache, const SecretHasher& hasher);

  // Memory only. unknown: the caller must call load() (blocking) and then retry this.
  ClientCache::Entry cached(std::string_view client_id, domain::Timestamp now);
  // Blocking: reads the client from the store into the cache.
  Result<ClientCache::Entry, AuthFailure> load(std::string_view client_id, domain::Timestamp now);
  // Whether load() is cheap enough to call from an I/O thread (see Store::reads_are_local).
  bool loads_are_local() const { return store_.reads_are_local(); }

  // Checks `secret` against the entry; `entry` may be absent (the work is done all the same).
  Result<Authenticated, AuthFailure> verify(const ClientCache::Entry& entry,
                                            std::string_view secret, domain::Timestamp now) const;

 private:
  store::Store& store_;
  ClientCache& cache_;
  const SecretHasher& hasher_;
};

// Remembers when each secret was last used, in memory; a background flusher writes the batch to the
// store every few seconds, so that issuing a token never writes to the database.
class LastUsedTracker {
 public:
  void record(const std::string& secret_id, domain::Timestamp when);
  std::vector<store::SecretUse> drain();

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, domain::Timestamp> pending_;
};

}  // namespace tessera::auth
