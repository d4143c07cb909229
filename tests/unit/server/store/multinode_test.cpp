// The primitives several nodes on one database rely on: one first signing key however many nodes
// start at once, rotations that each add exactly one key, node id leases, shared failure counters.
// Two stores on one database stand for two nodes.
#include <atomic>
#include <set>

#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using domain::SigningKeyRecord;
using namespace std::chrono_literals;

class MultiNode : public StoreTest {
 protected:
  SigningKeyRecord new_key(domain::Timestamp now, std::chrono::seconds delay = 0s) {
    SigningKeyRecord key;
    key.id = ids_.next(IdKind::signing_key);
    key.algorithm = "ES256";
    key.encrypted_private_key = {7};
    key.public_jwk_json = "{}";
    key.create_time = now;
    key.activate_time = now + delay;
    return key;
  }
};

TEST_P(MultiNode, OnlyOneFirstKeyWhenNodesStartTogether) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(open_store());
    ASSERT_NE(nodes.back(), nullptr);
  }
  const domain::Timestamp now = domain::now();
  std::vector<SigningKeyRecord> keys;
  for (int i = 0; i < kNodes; ++i)
    keys.push_back(new_key(now));
  std::atomic<int> inserted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto result = nodes[i]->insert_first_signing_key(keys[i], now);
      if (!result) {
        ++errors;
      } else if (*result) {
        ++inserted;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(store_->list_signing_keys()->size(), 1u);
}

TEST_P(MultiNode, AFirstKeyIsAddedOnceTheOldOnesHaveRetired) {
  const domain::Timestamp now = domain::now();
  SigningKeyRecord old = new_key(now - 2h);
  old.retire_time = now - 1h;
  ASSERT_TRUE(store_->insert_signing_key(old).ok());
  EXPECT_TRUE(*store_->insert_first_signing_key(new_key(now), now));
  EXPECT_FALSE(*store_->insert_first_signing_key(new_key(now), now));
  EXPECT_EQ(store_->list_signing_keys()->size(), 2u);
}

TEST_P(MultiNode, ConcurrentRotationsEachAddOneKeyAndRetireTheRest) {
  auto other = open_store();
  ASSERT_NE(other, nullptr);
  const domain::Timestamp now = domain::now();
  const SigningKeyRecord first = new_key(now - 1h);
  ASSERT_TRUE(store_->insert_signing_key(first).ok());
  constexpr int kRotations = 8;
  std::vector<SigningKeyRecord> rotated;
  for (int i = 0; i < kRotations; ++i)
    rotated.push_back(new_key(now + std::chrono::seconds(i), 300s));
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < kRotations; ++i) {
    threads.emplace_back([&, i] {
      Store& node = i % 2 == 0 ? *store_ : *other;
      if (!node.rotate_signing_key(rotated[i])) ++errors;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(errors.load(), 0);
  const auto keys = *store_->list_signing_keys();
  ASSERT_EQ(keys.size(), 1u + kRotations);
  // Exactly one key has no retire time; every other retires no later than some rotation's
  // activation, so no two keys sign at once.
  int unretired = 0;
  for (const auto& key : keys) {
    if (!key.retire_time) {
      ++unretired;
      continue;
    }
    EXPECT_LE(*key.retire_time, now + 300s + std::chrono::seconds(kRotations)) << key.id;
  }
  EXPECT_EQ(unretired, 1);
  // The original key stops at the earliest activation of all.
  EXPECT_EQ(keys.front().retire_time, rotated.front().activate_time);
}

TEST_P(MultiNode, NodeLeasesAreExclusiveAndExpire) {
  const domain::Timestamp now = domain::now();
  auto a = store_->acquire_node_lease("node-a", std::nullopt, now, 30s);
  auto b = store_->acquire_node_lease("node-b", std::nullopt, now, 30s);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->node_id, b->node_id);
  EXPECT_EQ(a->expire_time, now + 30s);
  EXPECT_EQ(*store_->count_live_nodes(now), 2);

  // A wanted id held by another live node is refused; the holder itself may take it again.
  EXPECT_EQ(store_->acquire_node_lease("node-c", a->node_id, now, 30s).error(),
            StoreError::failed_precondition);
  EXPECT_TRUE(store_->acquire_node_lease("node-a", a->node_id, now, 30s).ok());

  // Renewal by the holder only.
  EXPECT_EQ(store_->renew_node_lease(a->node_id, "node-b", now, 30s).error(),
            StoreError::not_found);
  auto renewed = store_->renew_node_lease(a->node_id, "node-a", now + 10s, 30s);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(renewed->expire_time, now + 40s);

  // Once expired, another node may take it, and the old holder can no longer renew.
  const domain::Timestamp later = now + 41s;
  EXPECT_EQ(*store_->count_live_nodes(later), 0);
  ASSERT_TRUE(store_->acquire_node_lease("node-c", a->node_id, later, 30s).ok());
  EXPECT_EQ(store_->renew_node_lease(a->node_id, "node-a", later, 30s).error(),
            StoreError::not_found);
}

TEST_P(MultiNode, FreeIdsComeBeforeReleasedOnes) {
  const domain::Timestamp now = domain::now();
  auto a = store_->acquire_node_lease("node-a", std::nullopt, now, 30s);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store_->release_node_lease(a->node_id, "node-a", now).ok());
  EXPECT_EQ(*store_->count_live_nodes(now), 0);
  // A restarted node gets a fresh id, not the one just released: the old process might still be
  // winding down with it.
  auto b = store_->acquire_node_lease("node-b", std::nullopt, now, 30s);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->node_id, a->node_id);
}

TEST_P(MultiNode, ConcurrentLeasesNeverShareAnId) {
  auto other = open_store();
  ASSERT_NE(other, nullptr);
  const domain::Timestamp now = domain::now();
  std::mutex mutex;
  std::set<std::uint16_t> taken;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&, i] {
      Store& node = i % 2 == 0 ? *store_ : *other;
      auto lease = node.acquire_node_lease("node-" + std::to_string(i), std::nullopt, now, 30s);
      if (!lease) {
        ++errors;
        return;
      }
      std::lock_guard lock(mutex);
      taken.insert(lease->node_id);
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(taken.size(), 10u);
}

TEST_P(MultiNode, FailureCountersCountPerKeyAndWindow) {
  auto other = open_store();
  ASSERT_NE(other, nullptr);
  const domain::Timestamp start{std::chrono::seconds(1'800'000'000)};
  EXPECT_EQ(*store_->increment_failure_counter("client:a", 60s, start), 1);
  EXPECT_EQ(*store_->increment_failure_counter("client:a", 60s, start + 10s), 2);
  EXPECT_EQ(*store_->increment_failure_counter("client:b", 60s, start + 10s), 1);
  // PostgreSQL: another node sees the same count (SQLite keeps counters per process).
  if (backend() == Backend::postgres) {
    EXPECT_EQ(*other->increment_failure_counter("client:a", 60s, start + 20s), 3);
  }
  // A new window starts again from one.
  EXPECT_EQ(*store_->increment_failure_counter("client:a", 60s, start + 61s), 1);
}

TESSERA_ALL_BACKENDS(MultiNode);

}  // namespace
}  // namespace tessera::store::testing
