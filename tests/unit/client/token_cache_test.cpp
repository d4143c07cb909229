// The management token: fetched once, shared by every thread, replaced before it expires, and
// replaced once more when the server answers 401.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

// A steady clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> offset_ms =
      std::make_shared<std::atomic<std::int64_t>>(0);
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  std::function<std::chrono::steady_clock::time_point()> function() const {
    return [offset = offset_ms, start = start] {
      return start + std::chrono::milliseconds(offset->load());
    };
  }
  void advance(std::chrono::milliseconds by) const { *offset_ms += by.count(); }
};

TEST(TokenCache, OneTokenServesManyCallsUntilItIsNearlyExpired) {
  LiveServer server({.args = {"--management-token-lifetime", "60"}});
  FakeClock clock;
  Client tessera = server.client({.refresh_margin = 10s, .clock = clock.function()});

  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 1u);

  clock.advance(49s);  // 11 s left: still outside the 10 s margin
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 1u);

  clock.advance(2s);  // 9 s left: replaced before use
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 2u);
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 2u);
  EXPECT_EQ(tessera.stats().unauthorized_retries, 0u);
}

TEST(TokenCache, MarginIsAtMostHalfTheLifetime) {
  LiveServer server({.args = {"--management-token-lifetime", "60"}});
  FakeClock clock;
  // A margin longer than the lifetime must not make every call fetch a token.
  Client tessera = server.client({.refresh_margin = 600s, .clock = clock.function()});
  ASSERT_TRUE(tessera.keys().list_keys());
  clock.advance(29s);
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 1u);
  clock.advance(2s);
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 2u);
}

TEST(TokenCache, ConcurrentCallersShareOneFetch) {
  LiveServer server;
  Client tessera = server.client();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (!tessera.organizations().list_organizations()) ++failures;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(tessera.stats().management_token_fetches, 1u);
  EXPECT_EQ(tessera.stats().requests, 81u);  // 80 calls and one token request
}

TEST(TokenCache, CopiesAndHandlesShareTheCache) {
  LiveServer server;
  auto m2m = [&] {
    Client tessera = server.client();
    return tessera.organizations();  // outlives its Client
  }();
  ASSERT_TRUE(m2m.list_organizations());
  Client first = server.client();
  Client copy = first;
  ASSERT_TRUE(first.keys().list_keys());
  ASSERT_TRUE(copy.keys().list_keys());
  EXPECT_EQ(copy.stats().management_token_fetches, 1u);
}

// A token the server no longer accepts (here: signed by the key of a database that was replaced)
// is refused with 401; the client fetches a new one and repeats the call, once.
TEST(TokenCache, A401FetchesANewTokenAndRepeatsTheCallOnce) {
  LiveServer server({.fixed_admin = true});
  Client tessera = server.client();
  ASSERT_TRUE(tessera.keys().list_keys());
  ASSERT_EQ(tessera.stats().management_token_fetches, 1u);

  server.stop();
  const auto other_db = server.root() / "other.db";
  server.start({.args = {"--db", "sqlite://" + other_db.string()}, .fixed_admin = true});

  auto keys = tessera.keys().list_keys();
  ASSERT_TRUE(keys) << keys.error().describe();
  EXPECT_EQ(tessera.stats().management_token_fetches, 2u);
  EXPECT_EQ(tessera.stats().unauthorized_retries, 1u);
  // The new token is cached like the first.
  ASSERT_TRUE(tessera.keys().list_keys());
  EXPECT_EQ(tessera.stats().management_token_fetches, 2u);
}

TEST(TokenCache, RevokedEnvironmentCredentialsEndInATypedError) {
  LiveServer server({.fixed_admin = true});
  Client tessera = server.client();
  ASSERT_TRUE(tessera.keys().list_keys());

  // The new database knows the same admin id with another secret: the retry's token request fails.
  server.stop();
  const auto other_db = server.root() / "other.db";
  server.start(
      {.args = {"--admin-client-id", kAdminId, "--db", "sqlite://" + other_db.string()},
       .env = {{"TESSERA_ADMIN_CLIENT_SECRET", "a-different-secret-0123456789abcdefghij"}}});
  auto keys = tessera.keys().list_keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, client::Code::unauthenticated);
  EXPECT_EQ(keys.error().http_status, 401);
  EXPECT_EQ(keys.error().error_code, "invalid_client");
}

}  // namespace
}  // namespace tessera::testing
