#include "server/auth/client_cache.hpp"

#include <gtest/gtest.h>

namespace tessera::auth {
namespace {

using namespace std::chrono_literals;
const domain::Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

std::shared_ptr<const CachedClient> client(std::string id) {
  auto c = std::make_shared<CachedClient>();
  c->id = std::move(id);
  return c;
}

TEST(ClientCache, RemembersPresentAndAbsentClients) {
  ClientCache cache(1000, 5s);
  EXPECT_EQ(cache.find("m2morg_1", kT0).state, ClientCache::State::unknown);
  cache.put(client("m2morg_1"), cache.ticket());
  cache.put_absent("m2morg_2", kT0, cache.ticket());
  const auto present = cache.find("m2morg_1", kT0);
  EXPECT_EQ(present.state, ClientCache::State::present);
  EXPECT_EQ(present.client->id, "m2morg_1");
  EXPECT_EQ(cache.find("m2morg_2", kT0).state, ClientCache::State::absent);
}

TEST(ClientCache, AbsentEntriesExpire) {
  ClientCache cache(1000, 5s);
  cache.put_absent("m2morg_2", kT0, cache.ticket());
  EXPECT_EQ(cache.find("m2morg_2", kT0 + 4s).state, ClientCache::State::absent);
  EXPECT_EQ(cache.find("m2morg_2", kT0 + 5s).state, ClientCache::State::unknown);
}

TEST(ClientCache, EraseWins) {
  ClientCache cache(1000);
  cache.put(client("m2morg_1"), cache.ticket());
  cache.erase("m2morg_1");
  EXPECT_EQ(cache.find("m2morg_1", kT0).state, ClientCache::State::unknown);
}

TEST(ClientCache, ALoadThatRacedAnInvalidationIsNotCached) {
  ClientCache cache(1000);
  const auto ticket = cache.ticket();     // a token request starts loading m2morg_1 ...
  cache.erase("m2morg_1");                // ... the client is deleted meanwhile ...
  cache.put(client("m2morg_1"), ticket);  // ... and the stale load must not come back
  EXPECT_EQ(cache.find("m2morg_1", kT0).state, ClientCache::State::unknown);
  cache.put_absent("m2morg_3", kT0, ticket);
  EXPECT_EQ(cache.find("m2morg_3", kT0).state, ClientCache::State::unknown);
}

TEST(ClientCache, StaysWithinCapacityDroppingLeastRecentlyUsed) {
  ClientCache cache(160);  // 10 per shard
  for (int i = 0; i < 10'000; ++i)
    cache.put(client("m2morg_" + std::to_string(i)), cache.ticket());
  EXPECT_LE(cache.size(), 160u);
  EXPECT_EQ(cache.find("m2morg_9999", kT0).state, ClientCache::State::present);
  EXPECT_EQ(cache.find("m2morg_0", kT0).state, ClientCache::State::unknown);
}

TEST(ClientCache, ConvertsClientsWithTheirSecrets) {
  domain::ApiClient api;
  api.id = "m2morg_1";
  api.organization_id = "org_1";
  api.scopes = {"a"};
  api.custom_claims = {{"k", "v"}};
  api.expiry_seconds = 600;
  domain::Secret secret;
  secret.id = "sks_1";
  secret.status = domain::SecretStatus::inactive;
  api.secrets.push_back(secret);
  const auto cached = to_cached(api);
  EXPECT_EQ(cached->organization_id, "org_1");
  EXPECT_FALSE(cached->is_environment_client());
  EXPECT_EQ(cached->custom_claims.front(), (std::pair<std::string, std::string>{"k", "v"}));
  EXPECT_EQ(cached->expiry_seconds, 600);
  ASSERT_EQ(cached->secrets.size(), 1u);
  EXPECT_FALSE(cached->secrets[0].active);
}

}  // namespace
}  // namespace tessera::auth
