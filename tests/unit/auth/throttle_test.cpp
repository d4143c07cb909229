#include "server/auth/throttle.hpp"

#include <gtest/gtest.h>

namespace tessera::auth {
namespace {

using namespace std::chrono_literals;
const domain::Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

TEST(Throttle, AllowsUntilTheClientBucketIsEmptyThenSaysHowLongToWait) {
  Throttle throttle({.client_burst = 3, .client_refill_per_sec = 0.5});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(throttle.refused("m2morg_1", "10.0.0.1", kT0)) << i;
    throttle.record_failure("m2morg_1", "10.0.0.1", kT0);
  }
  const auto wait = throttle.refused("m2morg_1", "10.0.0.1", kT0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 2s);  // one token at 0.5/s
  // Another source hitting the same client id is refused too: guesses are counted per client.
  EXPECT_TRUE(throttle.refused("m2morg_1", "10.0.0.2", kT0));
  // Other clients are unaffected.
  EXPECT_FALSE(throttle.refused("m2morg_2", "10.0.0.2", kT0));
}

TEST(Throttle, RefillsSoNoLockIsPermanent) {
  Throttle throttle({.client_burst = 2, .client_refill_per_sec = 1});
  throttle.record_failure("c", "s", kT0);
  throttle.record_failure("c", "s", kT0);
  EXPECT_TRUE(throttle.refused("c", "s", kT0));
  EXPECT_TRUE(throttle.refused("c", "s", kT0 + 500ms));
  EXPECT_FALSE(throttle.refused("c", "s", kT0 + 1s));
}

TEST(Throttle, LimitsASourceAcrossClientIds) {
  Throttle throttle({.client_burst = 100, .source_burst = 5, .source_refill_per_sec = 1});
  for (int i = 0; i < 5; ++i)
    throttle.record_failure("m2morg_" + std::to_string(i), "10.9.9.9", kT0);
  EXPECT_TRUE(throttle.refused("m2morg_99", "10.9.9.9", kT0));
  EXPECT_FALSE(throttle.refused("m2morg_99", "10.9.9.8", kT0));
}

TEST(Throttle, LegitimateHolderKeepsAccessWhileItsClientIdIsAttacked) {
  Throttle throttle({.client_burst = 3, .client_refill_per_sec = 0.01});
  throttle.record_success("m2morg_1", "192.0.2.10", kT0);  // the real holder, earlier
  for (int i = 0; i < 10; ++i)
    throttle.record_failure("m2morg_1", "198.51.100.7", kT0 + 1s);
  EXPECT_TRUE(throttle.refused("m2morg_1", "198.51.100.7", kT0 + 2s));
  EXPECT_FALSE(throttle.refused("m2morg_1", "192.0.2.10", kT0 + 2s));
}

TEST(Throttle, TrustExpires) {
  Throttle throttle({.client_burst = 1, .client_refill_per_sec = 0.001, .trusted_source_ttl = 60s});
  throttle.record_success("c", "s", kT0);
  throttle.record_failure("c", "x", kT0);
  EXPECT_FALSE(throttle.refused("c", "s", kT0 + 59s));
  EXPECT_TRUE(throttle.refused("c", "s", kT0 + 61s));
}

TEST(Throttle, MemoryIsBounded) {
  Throttle throttle({.client_burst = 2,
                     .client_refill_per_sec = 100,
                     .source_burst = 2,
                     .source_refill_per_sec = 100,
                     .max_tracked_keys = 1000});
  for (int i = 0; i < 100'000; ++i) {
    const auto now = kT0 + std::chrono::milliseconds(i);
    throttle.record_failure("m2morg_" + std::to_string(i), "10.0." + std::to_string(i % 250), now);
  }
  EXPECT_LE(throttle.tracked_keys(), 3000u);
}

// Once a table is full of entries that cannot be forgotten yet, a request must not pay for a scan
// of the whole table: at most one sweep per second. Scanning on every call made 10,000 requests
// take seconds at 50,000 tracked keys; without it they take milliseconds.
TEST(Throttle, AFullTableIsNotScannedOnEveryRequest) {
  constexpr std::size_t kKeys = 50'000;
  Throttle throttle({.client_burst = 5,
                     .client_refill_per_sec = 0.0001,
                     .source_burst = 1e9,
                     .source_refill_per_sec = 1,
                     .trusted_source_ttl = 3600s,
                     .max_tracked_keys = kKeys});
  for (std::size_t i = 0; i < kKeys; ++i) {
    throttle.record_failure("m2morg_" + std::to_string(i), "10.0.0.1", kT0);
    throttle.record_success("m2morg_" + std::to_string(i), "10.0.0.2", kT0);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10'000; ++i) {
    const auto now = kT0 + std::chrono::microseconds(i);
    throttle.record_failure("m2morg_new" + std::to_string(i), "10.0.0.1", now);
    throttle.record_success("m2morg_new" + std::to_string(i), "10.0.0.3", now);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 1500ms);
  // Still bounded, and the keys tracked before the flood still count.
  EXPECT_LE(throttle.tracked_keys(), 3 * kKeys);
  for (int i = 0; i < 4; ++i)
    throttle.record_failure("m2morg_7", "10.0.0.1", kT0 + 1ms);
  EXPECT_TRUE(throttle.refused("m2morg_7", "10.0.0.9", kT0 + 1ms).has_value());
}

// More trusted pairs than max_tracked_keys, none expired (a million clients within an hour): the
// newest success is trusted and the oldest trust forgotten, so the map stays bounded and a source
// that just authenticated keeps its exemption.
TEST(Throttle, AFullTrustTableForgetsItsOldestTrust) {
  Throttle throttle({.client_burst = 1, .client_refill_per_sec = 0.001, .max_tracked_keys = 100});
  for (int i = 0; i < 100; ++i)
    throttle.record_success("m2morg_" + std::to_string(i), "10.0.0.1", kT0);
  throttle.record_success("m2morg_new", "10.0.0.1", kT0 + 1s);
  throttle.record_failure("m2morg_new", "198.51.100.7", kT0 + 2s);
  throttle.record_failure("m2morg_0", "198.51.100.7", kT0 + 2s);
  EXPECT_FALSE(throttle.refused("m2morg_new", "10.0.0.1", kT0 + 3s));
  EXPECT_TRUE(throttle.refused("m2morg_0", "10.0.0.1", kT0 + 3s));  // the oldest, forgotten
  // The trust map, plus two client buckets and the attacker's source bucket.
  EXPECT_EQ(throttle.tracked_keys(), 100u + 3u);
}

// ... and that costs no scan of the map: sweeping it for expired trust once a second took 2.1 s
// over these 1,000 seconds of new pairs at 200,000 trusted ones.
TEST(Throttle, AFullTrustTableIsNotScanned) {
  constexpr int kKeys = 200'000;
  Throttle throttle({.trusted_source_ttl = 3600s, .max_tracked_keys = kKeys});
  for (int i = 0; i < kKeys; ++i)
    throttle.record_success("m2morg_" + std::to_string(i), "10.0.0.1", kT0);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1'000; ++i)
    throttle.record_success("m2morg_new" + std::to_string(i), "10.0.0.1", kT0 + 1s * (i + 1));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_EQ(throttle.tracked_keys(), static_cast<std::size_t>(kKeys));
}

// Expired trust leaves the map without a scan, and a renewed pair stays trusted past its first
// record's expiry.
TEST(Throttle, TrustIsRenewedAfterHalfItsLifetimeAndExpiredTrustIsDropped) {
  Throttle throttle({.client_burst = 1, .client_refill_per_sec = 0.001, .trusted_source_ttl = 60s});
  throttle.record_success("renewed", "s", kT0);
  throttle.record_success("expiring", "s", kT0);
  throttle.record_success("renewed", "s", kT0 + 31s);  // past half: renewed until kT0 + 91s
  throttle.record_success("other", "s", kT0 + 61s);    // drops "expiring"
  EXPECT_EQ(throttle.tracked_keys(), 2u);
  throttle.record_failure("renewed", "x", kT0 + 62s);
  EXPECT_FALSE(throttle.refused("renewed", "s", kT0 + 90s));
  EXPECT_TRUE(throttle.refused("renewed", "s", kT0 + 92s));
}

// Three nodes behind a balancer that spreads an attacker's guesses: each allows a third of the
// burst, so the cluster as a whole allows the policy's burst, not three times it.
TEST(Throttle, ClusterNodesShareTheBudget) {
  const ThrottlePolicy policy{
      .client_burst = 9, .client_refill_per_sec = 0.3, .source_burst = 1000};
  Throttle a(policy), b(policy), c(policy);
  Throttle* nodes[] = {&a, &b, &c};
  for (Throttle* node : nodes)
    node->set_cluster_size(3);
  int allowed = 0;
  for (int guess = 0; guess < 30; ++guess) {
    Throttle& node = *nodes[guess % 3];
    if (node.refused("m2morg_1", "10.0.0.1", kT0)) continue;
    ++allowed;
    node.record_failure("m2morg_1", "10.0.0.1", kT0);
  }
  EXPECT_EQ(allowed, 9);
  // The refill is split too: 0.1/s per node, so after 11 s the cluster has regained 3 attempts.
  int regained = 0;
  for (Throttle* node : nodes) {
    if (!node->refused("m2morg_1", "10.0.0.1", kT0 + 11s)) ++regained;
  }
  EXPECT_EQ(regained, 3);
  EXPECT_TRUE(a.refused("m2morg_1", "10.0.0.1", kT0 + 5s));

  // Back to one node: the whole policy again, levels kept.
  Throttle single(policy);
  single.set_cluster_size(3);
  single.set_cluster_size(1);
  for (int i = 0; i < 9; ++i) {
    EXPECT_FALSE(single.refused("c", "s", kT0)) << i;
    single.record_failure("c", "s", kT0);
  }
  EXPECT_TRUE(single.refused("c", "s", kT0));
}

}  // namespace
}  // namespace tessera::auth
