// The token endpoint's shared state under many threads at once, as the server's I/O and worker
// threads use it: the key ring (rotations and refreshes while tokens are signed and the JWKS is
// served), the client cache (lookups, loads with generation tickets, invalidations and eviction)
// and the brute-force throttle (failures, successes and checks from many sources). Each test
// checks the invariants a reader must always see; under `make test-tsan` (ThreadSanitizer) they
// also prove the absence of data races. Label: concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/auth/client_cache.hpp"
#include "server/auth/throttle.hpp"
#include "server/keys/key_ring.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using domain::Timestamp;

const Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
constexpr int kThreads = 6;

// Runs body(thread_index) on kThreads threads started together.
template <class Body>
void run_together(Body body) {
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  }
  for (auto& thread : threads)
    thread.join();
}

keys::RingKey make_key(const std::string& id, Timestamp activate,
                       std::optional<Timestamp> retire = {}) {
  auto priv = jose::PrivateKey::generate(jose::Algorithm::ES256);
  auto pub = priv->public_key(id);
  return keys::RingKey{
      id, std::make_shared<jose::JwsSigner>(*priv, id), *pub, activate - 1h, activate, retire};
}

TEST(KeyRingConcurrency, SignersAndJwksStayConsistentWhileKeysRotate) {
  keys::KeyRing ring(3600s);
  std::vector<keys::RingKey> pool;
  for (int i = 0; i < 8; ++i)
    pool.push_back(make_key("snk_" + std::to_string(i + 1), kT0 + std::chrono::minutes(i)));
  ring.set_keys({pool[0]}, kT0);
  std::atomic<bool> done{false};
  std::atomic<long> signed_tokens{0};
  run_together([&](int t) {
    if (t == 0) {
      // The rotator: each round publishes one more key and activates it a minute later.
      for (int round = 1; round < 8; ++round) {
        std::vector<keys::RingKey> keys;
        for (int i = 0; i <= round; ++i) {
          keys::RingKey key = pool[static_cast<std::size_t>(i)];
          if (i < round) key.retire_time = pool[static_cast<std::size_t>(i + 1)].activate_time;
          keys.push_back(key);
        }
        const Timestamp now = kT0 + std::chrono::minutes(round - 1) + 30s;
        ring.set_keys(keys, now);
        std::this_thread::sleep_for(2ms);
        ring.refresh(now + 30s);  // the new key becomes active
        std::this_thread::sleep_for(2ms);
      }
      done = true;
      return;
    }
    while (!done) {
      // Readers: the token endpoint signs, /keys serves the JWKS, management describes.
      const auto signer = ring.active_signer();
      ASSERT_NE(signer, nullptr);
      std::string token;
      ASSERT_TRUE(signer->sign(R"({"iss":"x"})", token));
      ++signed_tokens;
      // Whatever key signs is published in the JWKS of the same moment or a later one.
      const auto jwks = nlohmann::json::parse(*ring.jwks_json());
      bool published = false;
      for (const auto& key : jwks.at("keys"))
        published |= key.at("kid") == signer->kid();
      const auto later = ring.published_keys();
      EXPECT_TRUE(published || later->find(signer->kid()) != nullptr) << signer->kid();
      EXPECT_FALSE(ring.describe(kT0 + 1h).empty());
    }
  });
  EXPECT_GT(signed_tokens.load(), 0);
  EXPECT_EQ(ring.active_signer()->kid(), "snk_8");
}

std::shared_ptr<const domain::ClientCredentials> make_client(const std::string& id, int version) {
  auto client = std::make_shared<domain::ClientCredentials>();
  client->id = id;
  client->organization_id = "org_1";
  client->scopes = {"v" + std::to_string(version)};
  client->secrets.push_back(
      {"sks_" + id.substr(7), {}, domain::SecretStatus::active, std::nullopt});
  return client;
}

TEST(ClientCacheConcurrency, LoadsLookupsAndInvalidationsRace) {
  auth::ClientCache cache(64, 1s);  // small: eviction runs all the time
  std::atomic<bool> done{false};
  std::atomic<long> hits{0};
  std::atomic<long> lookups{0};
  run_together([&](int t) {
    std::mt19937 random(static_cast<unsigned>(t));
    if (t == 0) {
      // The management side: deletes (erase) and, now and then, a full clear. It keeps going
      // until the readers have done their share too: on a loaded machine it could otherwise
      // finish before they were scheduled at all, and nothing would have raced.
      const auto deadline = std::chrono::steady_clock::now() + 30s;  // should a reader fail
      for (int i = 0;
           i < 20'000 || (lookups.load() < 100'000 && std::chrono::steady_clock::now() < deadline);
           ++i) {
        cache.erase("m2morg_" + std::to_string(1000 + random() % 200));
        if (i % 5000 == 4999) cache.clear();
      }
      done = true;
      return;
    }
    int version = 0;
    while (!done) {
      const std::string id = "m2morg_" + std::to_string(1000 + random() % 200);
      const auto now = kT0 + std::chrono::milliseconds(random() % 5000);
      const auto entry = cache.find(id, now);
      ++lookups;
      if (entry.state == auth::ClientCache::State::present) {
        ++hits;
        ASSERT_NE(entry.client, nullptr);
        EXPECT_EQ(entry.client->id, id);  // never another client's entry
        EXPECT_EQ(entry.client->secrets.size(), 1u);
      } else if (entry.state == auth::ClientCache::State::unknown) {
        // A load: the ticket is taken before "reading the store".
        const auto ticket = cache.ticket();
        if (random() % 4 == 0) {
          cache.put_absent(id, now, ticket);
        } else {
          cache.put(make_client(id, ++version), ticket);
        }
      }
      EXPECT_LE(cache.size(), cache.capacity() + kThreads);
    }
  });
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.size(), cache.capacity());
}

TEST(ClientCacheConcurrency, AnEraseDuringALoadIsNeverUndone) {
  // The race the generation tickets exist for, many times over: a load that began before an
  // erase must not put the erased client back.
  auth::ClientCache cache(1024);
  for (int round = 0; round < 2000; ++round) {
    const std::string id = "m2morg_" + std::to_string(5000 + round);
    const auto ticket = cache.ticket();            // the load reads the store ...
    std::thread eraser([&] { cache.erase(id); });  // ... while the client is deleted
    eraser.join();
    cache.put(make_client(id, round), ticket);  // the stale load must be ignored
    EXPECT_EQ(cache.find(id, kT0).state, auth::ClientCache::State::unknown) << id;
  }
}

TEST(ThrottleConcurrency, CountsEveryFailureAcrossThreads) {
  auth::Throttle throttle({.client_burst = kThreads * 200,
                           .client_refill_per_sec = 0.001,
                           .source_burst = 1e9,
                           .source_refill_per_sec = 1,
                           .max_tracked_keys = 5000});
  // kThreads threads fail the same client 200 times each from their own sources: exactly as
  // many tokens as its bucket holds, so it ends up empty unless an update was lost.
  run_together([&](int t) {
    const std::string source = "10.0.0." + std::to_string(t);
    for (int i = 0; i < 200; ++i) {
      (void)throttle.refused("m2morg_1", source, kT0);
      throttle.record_failure("m2morg_1", source, kT0);
      // Other traffic on the same tables meanwhile: successes and scans of fresh ids.
      throttle.record_success("m2morg_" + std::to_string(2 + i), source, kT0);
      throttle.record_failure("m2morg_x" + std::to_string(t * 1000 + i), source, kT0);
      (void)throttle.tracked_keys();
    }
  });
  EXPECT_TRUE(throttle.refused("m2morg_1", "10.9.9.9", kT0).has_value());
  // ... and a holder that authenticated from its address is not refused.
  throttle.record_success("m2morg_1", "10.0.0.200", kT0);
  EXPECT_FALSE(throttle.refused("m2morg_1", "10.0.0.200", kT0).has_value());
  EXPECT_LE(throttle.tracked_keys(), 3u * 5000u);
}

}  // namespace
}  // namespace tessera
