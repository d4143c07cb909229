#include "server/auth/authenticator.hpp"

#include <openssl/crypto.h>

#include "server/domain/ids.hpp"

namespace tessera::auth {
namespace {

// Only these kinds authenticate at the token endpoint; anything else is unknown without a lookup.
bool is_client_id(std::string_view id) {
  return domain::parse_id(domain::IdKind::api_client, id) ||
         domain::parse_id(domain::IdKind::environment_client, id);
}

bool usable(const domain::ClientCredentials::Secret& secret, domain::Timestamp now) {
  return secret.status == domain::SecretStatus::active &&
         (!secret.expire_time || now < *secret.expire_time);
}

}  // namespace

ClientAuthenticator::ClientAuthenticator(store::Store& store, ClientCache& cache,
                                         const SecretHasher& hasher)
    : store_(store), cache_(cache), hasher_(hasher) {}

ClientCache::Entry ClientAuthenticator::cached(std::string_view client_id, domain::Timestamp now) {
  if (!is_client_id(client_id)) return {ClientCache::State::absent, nullptr};
  return cache_.find(client_id, now);
}

Result<ClientCache::Entry, AuthFailure> ClientAuthenticator::load(std::string_view client_id,
                                                                  domain::Timestamp now) {
  const auto ticket = cache_.ticket();
  auto client = store_.get_client_credentials(client_id);
  if (!client) {
    if (client.error() != store::StoreError::not_found) return fail(AuthFailure::unavailable);
    cache_.put_absent(client_id, now, ticket);
    return ClientCache::Entry{ClientCache::State::absent, nullptr};
  }
  auto cached_client = std::make_shared<const domain::ClientCredentials>(std::move(*client));
  cache_.put(cached_client, ticket);
  return ClientCache::Entry{ClientCache::State::present, std::move(cached_client)};
}

Result<Authenticated, AuthFailure> ClientAuthenticator::verify(const ClientCache::Entry& entry,
                                                               std::string_view secret,
                                                               domain::Timestamp now) const {
  // Hash first, whatever the entry: an unknown client costs the same HMAC as a known one.
  const SecretHash presented = hasher_.hash(secret.substr(0, kMaxSecretLength));
  if (entry.state != ClientCache::State::present || secret.size() > kMaxSecretLength) {
    return fail(AuthFailure::invalid_client);
  }
  const domain::ClientCredentials::Secret* matched = nullptr;
  for (const auto& candidate : entry.client->secrets) {
    const bool equal =
        CRYPTO_memcmp(presented.data(), candidate.hash.data(), presented.size()) == 0;
    if (equal && usable(candidate, now)) matched = &candidate;
  }
  if (matched == nullptr) return fail(AuthFailure::invalid_client);
  return Authenticated{entry.client, matched->id};
}

void LastUsedTracker::record(const std::string& secret_id, domain::Timestamp when) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = pending_.try_emplace(secret_id, when);
  if (!inserted && it->second < when) it->second = when;
}

std::vector<store::SecretUse> LastUsedTracker::drain() {
  std::unordered_map<std::string, domain::Timestamp> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  std::vector<store::SecretUse> uses;
  uses.reserve(batch.size());
  for (auto& [id, when] : batch)
    uses.push_back({id, when});
  return uses;
}

}  // namespace tessera::auth
