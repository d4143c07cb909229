#include "server/auth/client_cache.hpp"

#include <gtest/gtest.h>

namespace tessera::auth {
namespace {

using namespace std::chrono_literals;
const domain::Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

std::shared_ptr<const domain::ClientCredentials> client(std::string id) {
  auto c = std::make_shared<domain::ClientCredentials>();
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

}  // namespace
}  // namespace tessera::auth
