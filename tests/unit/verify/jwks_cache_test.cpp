// JwksCache against a real JWKS endpoint on loopback: TTLs, rotation, unknown-kid storms,
// coalescing, failures and last-known-good keys, size cap, redirects, scheme policy.
#include "tessera/verify/jwks_cache.hpp"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/verify/verifier.hpp"
#include "unit/verify/jwks_server.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace tessera::testing;

// A steady clock the test moves by hand.
struct FakeClock {
  std::atomic<std::int64_t> ms{1'000'000};
  std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::time_point(milliseconds(ms.load()));
  }
  void advance(milliseconds d) { ms += d.count(); }
};

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksServer server;
  FakeClock clock;
  TestKey a = make_key(Algorithm::RS256, "snk_a", 0);
  TestKey b = make_key(Algorithm::RS256, "snk_b", 1);

  void SetUp() override {
    server.set_body(jwks_json({&a}));
    server.set_cache_control("max-age=300");
  }

  JwksCacheOptions options() {
    return {.uri = server.url(),
            .allow_http = true,
            .connect_timeout = milliseconds(1000),
            .total_timeout = milliseconds(1000),
            .min_ttl = seconds(60),
            .max_ttl = seconds(3600),
            .refresh_cooldown = seconds(30),
            .clock = [this] { return clock.now(); }};
  }
  std::shared_ptr<JwksCache> cache(JwksCacheOptions o) {
    auto created = JwksCache::create(std::move(o));
    EXPECT_TRUE(created.ok()) << to_string(created.error());
    return *created;
  }
  std::shared_ptr<JwksCache> cache() { return cache(options()); }
};

TEST_F(JwksCacheTest, FetchesOnceAndServesFromCacheForTheTtl) {
  auto keys = cache();
  ASSERT_NE(keys->keys(), nullptr);
  EXPECT_NE(keys->keys()->find("snk_a"), nullptr);
  for (int i = 0; i < 20; ++i)
    keys->keys();
  EXPECT_EQ(server.requests(), 1);
  clock.advance(seconds(299));
  keys->keys();
  EXPECT_EQ(server.requests(), 1);
  clock.advance(seconds(2));
  keys->keys();
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.paths(), (std::vector<std::string>{"/keys", "/keys"}));
  EXPECT_EQ(keys->stats().fetches, 2u);
  EXPECT_EQ(keys->stats().key_count, 1u);
}

TEST_F(JwksCacheTest, ClampsCacheControlToTheBounds) {
  auto o = options();
  o.refresh_cooldown = milliseconds(0);
  server.set_cache_control("max-age=1");
  auto low = cache(o);
  low->keys();
  clock.advance(seconds(59));
  low->keys();
  EXPECT_EQ(server.requests(), 1);  // max-age=1 raised to min_ttl=60s
  clock.advance(seconds(2));
  low->keys();
  EXPECT_EQ(server.requests(), 2);

  server.set_cache_control("max-age=86400");
  auto high = cache(o);
  high->keys();
  clock.advance(seconds(3601));
  high->keys();
  EXPECT_EQ(server.requests(), 4);  // max-age=1d lowered to max_ttl=1h

  server.set_cache_control("no-store");
  auto none = cache(o);
  none->keys();
  clock.advance(seconds(30));
  none->keys();
  EXPECT_EQ(server.requests(), 5);  // no-store: min_ttl still applies
  clock.advance(seconds(31));
  none->keys();
  EXPECT_EQ(server.requests(), 6);

  server.set_cache_control("");
  o.default_ttl = seconds(600);
  auto absent = cache(o);
  absent->keys();
  clock.advance(seconds(599));
  absent->keys();
  EXPECT_EQ(server.requests(), 7);  // no header: default_ttl
  clock.advance(seconds(2));
  absent->keys();
  EXPECT_EQ(server.requests(), 8);
}

TEST_F(JwksCacheTest, FollowsKeyRotationThroughUnknownKids) {
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  ASSERT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
  // The issuer publishes b and starts signing with it; a stays published for old tokens.
  server.set_body(jwks_json({&a, &b}));
  clock.advance(seconds(31));
  EXPECT_TRUE(verifier.verify(mint(b, seed_claims())).ok());
  EXPECT_EQ(server.requests(), 2);
  EXPECT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
  // a is retired; after the TTL the cache forgets it.
  server.set_body(jwks_json({&b}));
  clock.advance(seconds(301));
  EXPECT_EQ(verifier.verify(mint(a, seed_claims())).error(), VerifyError::unknown_kid);
  EXPECT_TRUE(verifier.verify(mint(b, seed_claims())).ok());
}

TEST_F(JwksCacheTest, RefreshesForAnUnknownKidAtMostOncePerCooldown) {
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  ASSERT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
  server.set_body(jwks_json({&a, &b}));
  // Within the cool-down of the first fetch: no new request, the kid stays unknown.
  EXPECT_EQ(verifier.verify(mint(b, seed_claims())).error(), VerifyError::unknown_kid);
  EXPECT_EQ(server.requests(), 1);
  clock.advance(seconds(29));
  EXPECT_EQ(verifier.verify(mint(b, seed_claims())).error(), VerifyError::unknown_kid);
  EXPECT_EQ(server.requests(), 1);
  clock.advance(seconds(2));
  EXPECT_TRUE(verifier.verify(mint(b, seed_claims())).ok());
  EXPECT_EQ(server.requests(), 2);
}

TEST_F(JwksCacheTest, AStormOfRandomKidsCausesBoundedFetches) {
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  ASSERT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
  clock.advance(seconds(31));  // the cool-down has passed: the storm may cause one fetch
  std::atomic<int> unknown{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < 100; ++i) {
        const std::string kid = "snk_" + std::to_string(rng());
        const std::string token =
            mint_raw(a, json{{"alg", "RS256"}, {"kid", kid}, {"typ", "at+jwt"}}.dump(),
                     seed_claims().dump());
        if (verifier.verify(token).error() == VerifyError::unknown_kid) ++unknown;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(unknown, 800);
  EXPECT_EQ(server.requests(), 2);
  for (const std::string& path : server.paths())
    EXPECT_EQ(path, "/keys");  // kids never in URLs
  // Later storms, each after a cool-down, cost one fetch each.
  clock.advance(seconds(31));
  for (int i = 0; i < 50; ++i) {
    const json header = {{"alg", "RS256"}, {"kid", std::to_string(i)}, {"typ", "at+jwt"}};
    EXPECT_EQ(verifier.verify(mint_raw(a, header.dump(), seed_claims().dump())).error(),
              VerifyError::unknown_kid);
  }
  EXPECT_EQ(server.requests(), 3);
}

TEST_F(JwksCacheTest, CoalescesConcurrentFetches) {
  server.set_delay(milliseconds(300));
  auto keys = cache();
  std::atomic<int> got_keys{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (keys->keys() != nullptr) ++got_keys;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(got_keys, 8);
  EXPECT_EQ(server.requests(), 1);

  // Unknown-kid refreshes racing each other share one fetch as well.
  clock.advance(seconds(31));
  server.set_body(jwks_json({&a, &b}));
  const Verifier verifier = make_verifier(keys);
  std::atomic<int> verified{0};
  threads.clear();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (verifier.verify(mint(b, seed_claims())).ok()) ++verified;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(verified, 8);
  EXPECT_EQ(server.requests(), 2);
}

TEST_F(JwksCacheTest, KeepsLastKnownGoodKeysWhenFetchesFail) {
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  ASSERT_TRUE(verifier.verify(mint(a, seed_claims())).ok());

  struct Breakage {
    const char* name;
    std::function<void()> apply;
    FetchError expected;
  };
  const std::string huge = R"({"keys":[],"pad":")" + std::string(300 * 1024, 'x') + R"("})";
  const std::vector<Breakage> breakages = {
      {"500", [&] { server.set_status(500); }, FetchError::http_status},
      {"404", [&] { server.set_status(404); }, FetchError::http_status},
      {"garbage", [&] { server.set_body("<html>oops</html>"); }, FetchError::malformed_jwks},
      {"truncated", [&] { server.set_body(jwks_json({&a}).substr(0, 100)); },
       FetchError::malformed_jwks},
      {"empty set", [&] { server.set_body(R"({"keys":[]})"); }, FetchError::no_usable_keys},
      {"only weak keys",
       [&] { server.set_body(R"({"keys":[{"kty":"RSA","kid":"w","e":"AQAB","n":"AQAB"}]})"); },
       FetchError::no_usable_keys},
      {"oversized", [&] { server.set_body(huge); }, FetchError::too_large},
      {"slow", [&] { server.set_delay(milliseconds(1500)); }, FetchError::transport},
  };
  for (const auto& breakage : breakages) {
    SCOPED_TRACE(breakage.name);
    breakage.apply();
    clock.advance(seconds(301));  // TTL over: the next call refreshes, and fails
    const auto before = server.requests();
    auto current = keys->keys();
    EXPECT_EQ(server.requests(), before + 1);
    ASSERT_NE(current, nullptr);
    EXPECT_NE(current->find("snk_a"), nullptr);
    EXPECT_EQ(keys->stats().last_error, breakage.expected);
    EXPECT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
    // Restore the endpoint for the next round.
    server.set_status(200);
    server.set_delay(milliseconds(0));
    server.set_body(jwks_json({&a}));
  }
  EXPECT_EQ(keys->stats().failures, breakages.size());
  // And it recovers once the endpoint does.
  clock.advance(seconds(31));
  server.set_body(jwks_json({&b}));
  EXPECT_TRUE(verifier.verify(mint(b, seed_claims())).ok());
  EXPECT_EQ(keys->stats().last_error, std::nullopt);
}

TEST_F(JwksCacheTest, KeepsKeysWhenTheEndpointDisappears) {
  auto keys = cache();
  ASSERT_NE(keys->keys(), nullptr);
  server.stop();
  clock.advance(seconds(301));
  ASSERT_NE(keys->keys(), nullptr);
  EXPECT_EQ(keys->stats().last_error, FetchError::transport);
}

TEST_F(JwksCacheTest, FailsClosedWithoutAnyGoodFetchAndDoesNotHammer) {
  server.set_status(503);
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(verifier.verify(mint(a, seed_claims())).error(), VerifyError::no_keys);
  }
  EXPECT_EQ(server.requests(), 1);  // retried only after the cool-down
  clock.advance(seconds(31));
  server.set_status(200);
  EXPECT_TRUE(verifier.verify(mint(a, seed_claims())).ok());
  EXPECT_EQ(server.requests(), 2);
}

TEST_F(JwksCacheTest, CapsTheResponseSize) {
  auto o = options();
  o.max_response_bytes = 2048;
  const std::string body = jwks_json({&a});  // about 500 bytes
  const std::string padded =
      body.substr(0, body.size() - 1) + R"(,"pad":")" + std::string(4096, 'x') + R"("})";
  for (const bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    server.set_chunked(chunked);
    server.set_body(body);
    auto small = cache(o);
    ASSERT_NE(small->keys(), nullptr);
    server.set_body(padded);
    auto big = cache(o);
    EXPECT_EQ(big->keys(), nullptr);
    EXPECT_EQ(big->stats().last_error, FetchError::too_large);
  }
}

TEST_F(JwksCacheTest, FollowsNoRedirects) {
  JwksServer elsewhere;
  elsewhere.set_body(jwks_json({&a}));
  server.set_redirect(elsewhere.url());
  auto keys = cache();
  EXPECT_EQ(keys->keys(), nullptr);
  EXPECT_EQ(keys->stats().last_error, FetchError::http_status);
  EXPECT_EQ(elsewhere.requests(), 0);
}

TEST_F(JwksCacheTest, NeverFetchesHeaderUrls) {
  JwksServer attacker_endpoint;
  const TestKey evil = make_key(Algorithm::RS256, "evil", 2);
  attacker_endpoint.set_body(jwks_json({&evil}));
  auto keys = cache();
  const Verifier verifier = make_verifier(keys);
  ASSERT_NE(keys->keys(), nullptr);
  clock.advance(seconds(31));
  const json header = {{"alg", "RS256"},
                       {"kid", "evil"},
                       {"typ", "at+jwt"},
                       {"jku", attacker_endpoint.url()},
                       {"x5u", attacker_endpoint.base_url() + "/cert.pem"},
                       {"jwk", json::parse(evil.pub.to_jwk_json())}};
  EXPECT_EQ(verifier.verify(mint_raw(evil, header.dump(), seed_claims().dump())).error(),
            VerifyError::unknown_kid);
  EXPECT_EQ(attacker_endpoint.requests(), 0);
  EXPECT_EQ(server.requests(), 2);  // the configured endpoint only, for the unknown kid
}

TEST_F(JwksCacheTest, RefusesPlainHttpUnlessAllowed) {
  auto o = options();
  o.allow_http = false;
  auto refused = JwksCache::create(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), ConfigError::insecure_jwks_uri);
  o.uri = "HTTP://127.0.0.1:1/keys";
  EXPECT_EQ(JwksCache::create(o).error(), ConfigError::insecure_jwks_uri);
  for (const char* uri : {"", "keys", "/keys", "ftp://127.0.0.1/keys", "file:///etc/passwd",
                          "https://", "gopher://x/", "127.0.0.1:8080/keys"}) {
    o.uri = uri;
    auto bad = JwksCache::create(o);
    ASSERT_FALSE(bad.ok()) << uri;
    EXPECT_EQ(bad.error(), ConfigError::bad_jwks_uri) << uri;
  }
  o.uri = "https://auth.example.com/keys";
  EXPECT_TRUE(JwksCache::create(o).ok());
}

TEST_F(JwksCacheTest, SpeaksTlsToHttpsUris) {
  // https:// to a plain-HTTP port: the TLS handshake fails, nothing is parsed, nothing kept.
  auto o = options();
  o.allow_http = false;
  o.uri = "https://127.0.0.1:" + std::to_string(server.port()) + "/keys";
  auto keys = cache(o);
  EXPECT_EQ(keys->keys(), nullptr);
  EXPECT_EQ(keys->stats().last_error, FetchError::transport);
}

TEST_F(JwksCacheTest, RejectsInconsistentBounds) {
  auto o = options();
  o.min_ttl = seconds(10);
  o.max_ttl = seconds(5);
  EXPECT_EQ(JwksCache::create(o).error(), ConfigError::bad_cache_bounds);
  o = options();
  o.refresh_cooldown = seconds(-1);
  EXPECT_EQ(JwksCache::create(o).error(), ConfigError::bad_cache_bounds);
  o = options();
  o.total_timeout = milliseconds(0);
  EXPECT_EQ(JwksCache::create(o).error(), ConfigError::bad_timeouts);
  o = options();
  o.max_response_bytes = 0;
  EXPECT_EQ(JwksCache::create(o).error(), ConfigError::bad_size_limit);
}

TEST(JwksCacheRealClock, SharedVerifierUnderConcurrentLoadAndRotation) {
  // Many threads verify through one Verifier while the endpoint rotates keys and the real clock
  // drives short TTLs. Run under ASan/TSan-like conditions: no crash, no torn state.
  JwksServer server;
  const TestKey a = make_key(Algorithm::RS256, "a", 0);
  const TestKey b = make_key(Algorithm::ES256, "b");
  server.set_body(jwks_json({&a, &b}));
  server.set_cache_control("max-age=0");
  auto keys = *JwksCache::create({.uri = server.url(),
                                  .allow_http = true,
                                  .min_ttl = milliseconds(20),
                                  .refresh_cooldown = milliseconds(20)});
  auto options = options_for(keys);
  options.algorithms = {Algorithm::RS256, Algorithm::ES256};
  const Verifier verifier = *Verifier::create(options);
  const std::string token_a = mint(a, seed_claims());
  const std::string token_b = mint(b, seed_claims());
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop) {
        (verifier.verify(t % 2 ? token_a : token_b).ok() ? ok : failed)++;
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(400));
  stop = true;
  for (auto& thread : threads)
    thread.join();
  EXPECT_GT(ok, 100);
  EXPECT_EQ(failed, 0);
  EXPECT_GT(server.requests(), 2);  // TTL refreshes did happen meanwhile
  EXPECT_LT(server.requests(), 30);
}

}  // namespace
}  // namespace tessera::verify
