// The app's side of sharing a database: node id leases and the change feed applied to the client
// cache and the key ring, on PostgreSQL (where other nodes' writes arrive through LISTEN/NOTIFY).
#include "server/app/cluster.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server/domain/ids.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "unit/server/store/postgres_test_db.hpp"

namespace tessera::app {
namespace {

using namespace std::chrono_literals;
using store::testing::TestDatabase;

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok());
    node_a_ = open();
    node_b_ = open();
    ASSERT_TRUE(node_a_ && node_b_);
  }

  std::unique_ptr<store::Store> open() {
    auto opened = store::open_postgres_store({.url = database_.url()});
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  // Creates an organization client through `node`; returns it as stored.
  domain::ApiClient create_client(store::Store& node) {
    domain::Organization organization;
    organization.id = ids_.next(domain::IdKind::organization);
    organization.display_name = "Acme";
    organization.create_time = organization.update_time = domain::now();
    EXPECT_TRUE(node.create_organization(organization).ok());
    domain::ApiClient client;
    client.id = ids_.next(domain::IdKind::api_client);
    client.organization_id = organization.id;
    client.name = "deployer";
    client.create_time = client.update_time = domain::now();
    domain::Secret secret;
    secret.id = ids_.next(domain::IdKind::secret);
    secret.client_id = client.id;
    secret.suffix = "abcd";
    secret.create_time = secret.update_time = client.create_time;
    client.secrets = {secret};
    EXPECT_TRUE(node.create_client(client).ok());
    return client;
  }

  // The feed's LISTEN connection starts in the background; changes before it are not heard.
  void wait_until_listening() {
    ASSERT_TRUE(eventually([&] {
      return database_.exec(
                 "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
                 "AND datname = current_database()") != "0";
    }));
  }

  template <class Predicate>
  static bool eventually(Predicate&& predicate, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (predicate()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return predicate();
  }

  TestDatabase database_;
  domain::IdGenerator ids_;
  std::unique_ptr<store::Store> node_a_;
  std::unique_ptr<store::Store> node_b_;
};

TEST_F(Cluster, AnotherNodesDeletionEvictsTheCachedClient) {
  auth::ClientCache cache(1000);
  std::atomic<int> key_reloads{0};
  ChangeApplier applier(*node_a_, cache, [&] { ++key_reloads; });
  wait_until_listening();
  const domain::ApiClient client = create_client(*node_b_);
  std::this_thread::sleep_for(200ms);  // let the creation's own notification pass
  // Warm node A's cache the way the authenticator does.
  cache.put(std::make_shared<const domain::ClientCredentials>(domain::credentials_of(client)),
            cache.ticket());
  ASSERT_EQ(cache.find(client.id, domain::now()).state, auth::ClientCache::State::present);

  ASSERT_TRUE(node_b_->delete_client(*client.organization_id, client.id).ok());
  EXPECT_TRUE(eventually([&] {
    return cache.find(client.id, domain::now()).state == auth::ClientCache::State::unknown;
  }));
  EXPECT_EQ(key_reloads.load(), 0);
}

TEST_F(Cluster, AnotherNodesKeyChangeAsksForAReload) {
  auth::ClientCache cache(1000);
  std::atomic<int> key_reloads{0};
  ChangeApplier applier(*node_a_, cache, [&] { ++key_reloads; });
  wait_until_listening();
  domain::SigningKeyRecord key;
  key.id = ids_.next(domain::IdKind::signing_key);
  key.algorithm = "ES256";
  key.encrypted_private_key = {1};
  key.public_jwk_json = "{}";
  key.create_time = key.activate_time = domain::now();
  ASSERT_TRUE(node_b_->insert_signing_key(key).ok());
  EXPECT_TRUE(eventually([&] { return key_reloads.load() > 0; }));
}

TEST_F(Cluster, NodeLeasesGiveDistinctIdsAndRefuseADuplicateConfiguration) {
  auto a = NodeLease::acquire(*node_a_, std::nullopt);
  auto b = NodeLease::acquire(*node_b_, std::nullopt);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_NE((*a)->node_id(), (*b)->node_id());
  EXPECT_TRUE((*a)->renew());

  auto duplicate = NodeLease::acquire(*node_b_, (*a)->node_id());
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().find("held by another running node"), std::string::npos);

  // Once released, the configured id can be had.
  const std::uint16_t released = (*a)->node_id();
  a->reset();
  EXPECT_TRUE(NodeLease::acquire(*node_b_, released).ok());
}

TEST_F(Cluster, ALeaseTakenOverIsLostForGood) {
  auto a = NodeLease::acquire(*node_a_, std::nullopt);
  ASSERT_TRUE(a.ok()) << a.error();
  // Another holder takes the id as if A's lease had expired long ago.
  ASSERT_TRUE(node_b_
                  ->acquire_node_lease("intruder", (*a)->node_id(),
                                       domain::now() + NodeLease::kTtl + 1s, NodeLease::kTtl)
                  .ok());
  EXPECT_FALSE((*a)->renew());
}

}  // namespace
}  // namespace tessera::app
