// The change feed (Store::subscribe): every write a cache must hear of arrives, on SQLite from the
// same process, on PostgreSQL through LISTEN/NOTIFY.
#include "server/store/change_hub.hpp"
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using namespace std::chrono_literals;

class ChangeFeed : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_NE(store_, nullptr);
    subscription_ = store_->subscribe(log_.callback());
    // PostgreSQL: LISTEN must be in place before the writes below, or they are not heard.
    if (backend() == Backend::postgres) wait_until_listening();
  }
  void TearDown() override {
    subscription_.reset();
    StoreTest::TearDown();
  }

  void wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (database_->exec("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND "
                          "datname = current_database()") != "0") {
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "the store never started listening";
  }

  ChangeLog log_;
  std::unique_ptr<ChangeSubscription> subscription_;
};

TEST_P(ChangeFeed, ClientWritesAreAnnounced) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  EXPECT_TRUE(log_.wait_for(client_changed(client.id)));

  log_.clear();
  domain::ApiClientPatch patch;
  patch.name = "renamed";
  ASSERT_TRUE(store_->update_client(organization.id, client.id, patch).ok());
  EXPECT_TRUE(log_.wait_for(client_changed(client.id)));

  log_.clear();
  const Secret second = new_secret(client.id, 2);
  ASSERT_TRUE(store_->add_secret(organization.id, second, 5).ok());
  EXPECT_TRUE(log_.wait_for(client_changed(client.id)));

  log_.clear();
  ASSERT_TRUE(store_->delete_secret(organization.id, client.id, second.id).ok());
  EXPECT_TRUE(log_.wait_for(client_changed(client.id)));

  log_.clear();
  ASSERT_TRUE(store_->delete_client(organization.id, client.id).ok());
  EXPECT_TRUE(log_.wait_for(client_changed(client.id)));
}

TEST_P(ChangeFeed, OrganizationDeletionNamesItsClients) {
  const Organization organization = create_organization();
  const ApiClient a = create_client(organization.id, "a");
  const ApiClient b = create_client(organization.id, "b");
  log_.clear();
  ASSERT_TRUE(store_->delete_organization(organization.id).ok());
  EXPECT_TRUE(log_.wait_for(organization_deleted(organization.id)));
  EXPECT_TRUE(log_.wait_for(client_changed(a.id)));
  EXPECT_TRUE(log_.wait_for(client_changed(b.id)));
}

TEST_P(ChangeFeed, FailedWritesAndReadsAnnounceNothing) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  ASSERT_TRUE(log_.wait_for(client_changed(client.id)));
  log_.clear();
  // Refused (last secret), not found, a read, a last-used flush: none changes a cache's view.
  EXPECT_FALSE(store_->delete_secret(organization.id, client.id, client.secrets[0].id).ok());
  EXPECT_FALSE(store_->delete_client(organization.id, ids_.next(IdKind::api_client)).ok());
  EXPECT_TRUE(store_->get_client(client.id).ok());
  const std::vector<SecretUse> uses{{client.secrets[0].id, domain::now()}};
  EXPECT_TRUE(store_->record_secret_uses(uses).ok());
  // A marker write: once it has arrived, anything the calls above announced would have too.
  const ApiClient marker = create_client(organization.id, "marker");
  ASSERT_TRUE(log_.wait_for(client_changed(marker.id)));
  EXPECT_EQ(log_.changes(), std::vector<Change>{client_changed(marker.id)});
}

TEST_P(ChangeFeed, SigningKeyWritesAreAnnounced) {
  domain::SigningKeyRecord key;
  key.id = ids_.next(IdKind::signing_key);
  key.algorithm = "ES256";
  key.encrypted_private_key = {1, 2, 3};
  key.public_jwk_json = "{}";
  key.create_time = key.activate_time = domain::now();
  ASSERT_TRUE(store_->insert_signing_key(key).ok());
  EXPECT_TRUE(log_.wait_for(signing_keys_changed()));
  log_.clear();
  ASSERT_TRUE(store_->set_signing_key_retire_time(key.id, key.create_time).ok());
  EXPECT_TRUE(log_.wait_for(signing_keys_changed()));
  log_.clear();
  ASSERT_TRUE(store_->delete_signing_key(key.id).ok());
  EXPECT_TRUE(log_.wait_for(signing_keys_changed()));
}

TEST_P(ChangeFeed, NothingArrivesAfterUnsubscribing) {
  subscription_.reset();
  ChangeLog other;
  auto still_subscribed = store_->subscribe(other.callback());
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  ASSERT_TRUE(other.wait_for(client_changed(client.id)));
  EXPECT_TRUE(log_.changes().empty());
}

TESSERA_ALL_BACKENDS(ChangeFeed);

}  // namespace
}  // namespace tessera::store::testing
