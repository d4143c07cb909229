#include <thread>

#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using domain::ApiClientPatch;
using domain::SecretStatus;
using namespace std::chrono_literals;

using ClientStore = StoreTest;

TEST_P(ClientStore, CreateStoresTheClientWithItsFirstSecret) {
  const Organization organization = create_organization();
  ApiClient client = new_client(organization.id);
  client.secrets[0].expire_time = client.create_time + 24h;
  auto created = store_->create_client(client);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created, client);

  auto by_id = store_->get_client(client.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id, client);
  auto under_organization = store_->get_organization_client(organization.id, client.id);
  ASSERT_TRUE(under_organization.ok());
  EXPECT_EQ(*under_organization, client);
}

TEST_P(ClientStore, EmptyListsAndUnicodeRoundTrip) {
  const Organization organization = create_organization();
  ApiClient client = new_client(organization.id, "d\xC3\xA9ployeur");
  client.description = "";
  client.scopes.clear();
  client.audience.clear();
  client.custom_claims = {{"z", ""}, {"a", "\xE2\x82\xAC"}};  // order is kept, not sorted
  ASSERT_TRUE(store_->create_client(client).ok());
  EXPECT_EQ(*store_->get_client(client.id), client);
}

TEST_P(ClientStore, InvalidUtf8IsAPreconditionFailure) {
  const Organization organization = create_organization();
  ApiClient client = new_client(organization.id);
  client.scopes = {"\xFF"};
  EXPECT_EQ(store_->create_client(client).error(), StoreError::failed_precondition);
  EXPECT_EQ(store_->get_client(client.id).error(), StoreError::not_found);
}

TEST_P(ClientStore, CreateUnderAMissingOrganizationIsNotFound) {
  auto created = store_->create_client(new_client(ids_.next(IdKind::organization)));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error(), StoreError::not_found);
}

TEST_P(ClientStore, CreateNeedsExactlyOneMatchingSecret) {
  const Organization organization = create_organization();
  ApiClient none = new_client(organization.id);
  none.secrets.clear();
  EXPECT_EQ(store_->create_client(none).error(), StoreError::failed_precondition);

  ApiClient two = new_client(organization.id);
  two.secrets.push_back(new_secret(two.id, 2));
  EXPECT_EQ(store_->create_client(two).error(), StoreError::failed_precondition);

  ApiClient foreign = new_client(organization.id);
  foreign.secrets[0].client_id = ids_.next(IdKind::api_client);
  EXPECT_EQ(store_->create_client(foreign).error(), StoreError::failed_precondition);
}

TEST_P(ClientStore, CreateRefusesAKindThatDisagreesWithTheOrganization) {
  const Organization organization = create_organization();
  ApiClient environment_with_organization = new_client("");
  environment_with_organization.organization_id = organization.id;
  EXPECT_EQ(store_->create_client(environment_with_organization).error(),
            StoreError::failed_precondition);
  ApiClient organization_client_without_one = new_client(organization.id);
  organization_client_without_one.organization_id.reset();
  EXPECT_EQ(store_->create_client(organization_client_without_one).error(),
            StoreError::failed_precondition);
}

TEST_P(ClientStore, CreateIsAtomic) {
  const Organization organization = create_organization();
  const ApiClient first = create_client(organization.id);
  // The client row would be new, but its secret's id is taken: nothing may be left behind.
  ApiClient second = new_client(organization.id);
  second.secrets[0].id = first.secrets[0].id;
  EXPECT_EQ(store_->create_client(second).error(), StoreError::already_exists);
  EXPECT_EQ(store_->get_client(second.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, 1);
}

TEST_P(ClientStore, DuplicateClientIdIsAlreadyExists) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  ApiClient again = client;
  again.secrets[0].id = ids_.next(IdKind::secret);
  EXPECT_EQ(store_->create_client(again).error(), StoreError::already_exists);
}

TEST_P(ClientStore, AClientIsInvisibleUnderAnotherOrganization) {
  const Organization mine = create_organization("mine");
  const Organization theirs = create_organization("theirs");
  const ApiClient client = create_client(mine.id);
  ApiClientPatch patch;
  patch.name = "hijacked";

  EXPECT_EQ(store_->get_organization_client(theirs.id, client.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->update_client(theirs.id, client.id, patch).error(), StoreError::not_found);
  EXPECT_EQ(store_->delete_client(theirs.id, client.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->add_secret(theirs.id, new_secret(client.id), 5).error(), StoreError::not_found);
  EXPECT_EQ(store_->delete_secret(theirs.id, client.id, client.secrets[0].id).error(),
            StoreError::not_found);
  EXPECT_TRUE(store_->list_clients(theirs.id, {})->items.empty());
  // Nothing changed for the owner.
  auto owned = store_->get_organization_client(mine.id, client.id);
  ASSERT_TRUE(owned.ok());
  EXPECT_EQ(*owned, client);
}

TEST_P(ClientStore, EnvironmentClientsHaveNoOrganization) {
  const Organization organization = create_organization();
  const ApiClient admin = create_client("", "admin");
  ASSERT_TRUE(admin.id.starts_with("skc_"));
  auto fetched = store_->get_client(admin.id);
  ASSERT_TRUE(fetched.ok());
  EXPECT_TRUE(fetched->is_environment_client());
  EXPECT_EQ(*fetched, admin);
  EXPECT_EQ(*store_->get_organization_client("", admin.id), admin);
  EXPECT_EQ(store_->get_organization_client(organization.id, admin.id).error(),
            StoreError::not_found);

  // The prefix must agree with the kind: the same number as an m2morg_ id finds nothing.
  const auto number = domain::parse_id(IdKind::environment_client, admin.id);
  EXPECT_EQ(store_->get_client(domain::format_id(IdKind::api_client, *number)).error(),
            StoreError::not_found);

  create_client(organization.id);
  auto environment = store_->list_environment_clients();
  ASSERT_TRUE(environment.ok());
  ASSERT_EQ(environment->size(), 1u);
  EXPECT_EQ((*environment)[0], admin);
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, 1);
}

TEST_P(ClientStore, EnvironmentClientSecretsAreManagedWithAnEmptyOrganization) {
  const ApiClient admin = create_client("", "admin");
  const Secret second = new_secret(admin.id, 2);
  ASSERT_TRUE(store_->add_secret("", second, 5).ok());
  ASSERT_TRUE(store_->delete_secret("", admin.id, admin.secrets[0].id).ok());
  auto fetched = store_->get_client(admin.id);
  ASSERT_TRUE(fetched.ok());
  ASSERT_EQ(fetched->secrets.size(), 1u);
  EXPECT_EQ(fetched->secrets[0], second);
}

TEST_P(ClientStore, MalformedIdsAreNotFound) {
  const Organization organization = create_organization();
  for (const std::string& id :
       {std::string("m2morg_"), std::string("m2morg_01"), std::string("sks_1"), std::string("")}) {
    EXPECT_EQ(store_->get_client(id).error(), StoreError::not_found) << id;
    EXPECT_EQ(store_->get_organization_client(organization.id, id).error(), StoreError::not_found);
  }
  EXPECT_EQ(store_->list_clients("org_x", {}).error(), StoreError::not_found);
  EXPECT_EQ(store_->list_clients(ids_.next(IdKind::organization), {}).error(),
            StoreError::not_found);
}

TEST_P(ClientStore, UpdateMergesPresentFields) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  ApiClientPatch patch;
  patch.description = "new description";
  patch.custom_claims = std::vector<domain::CustomClaim>{{"team", "platform"}};
  patch.expiry_seconds = 7200;
  patch.update_time = client.update_time + 1s;
  auto updated = store_->update_client(organization.id, client.id, patch);
  ASSERT_TRUE(updated.ok());
  ApiClient expected = client;
  expected.description = "new description";
  expected.custom_claims = {{"team", "platform"}};  // replaces the whole list
  expected.expiry_seconds = 7200;
  expected.update_time = patch.update_time;
  EXPECT_EQ(*updated, expected);
  EXPECT_EQ(*store_->get_client(client.id), expected);

  ApiClientPatch scopes;
  scopes.scopes = std::vector<std::string>{"read:deployments"};
  scopes.audience = std::vector<std::string>{};
  scopes.name = "renamed";
  scopes.update_time = patch.update_time;
  updated = store_->update_client(organization.id, client.id, scopes);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(updated->scopes, std::vector<std::string>{"read:deployments"});
  EXPECT_TRUE(updated->audience.empty());
  EXPECT_EQ(updated->custom_claims, expected.custom_claims);
}

TEST_P(ClientStore, DeleteRemovesTheClientAndItsSecrets) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  const ApiClient other = create_client(organization.id, "other");
  ASSERT_TRUE(store_->delete_client(organization.id, client.id).ok());
  EXPECT_EQ(store_->get_client(client.id).error(), StoreError::not_found);
  EXPECT_EQ(store_->delete_client(organization.id, client.id).error(), StoreError::not_found);
  // Its secret id is free again only in the sense that nothing refers to it any more.
  EXPECT_EQ(store_->delete_secret(organization.id, client.id, client.secrets[0].id).error(),
            StoreError::not_found);
  EXPECT_TRUE(store_->get_client(other.id).ok());
  EXPECT_EQ(store_->list_clients(organization.id, {})->total_size, 1);
}

TEST_P(ClientStore, SecretFieldsRoundTrip) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  Secret secret = new_secret(client.id, 77);
  secret.status = SecretStatus::inactive;
  secret.suffix = "zZ9-";
  secret.expire_time = secret.create_time + 90 * 24h;
  secret.last_used_time = secret.create_time - 1s;
  auto added = store_->add_secret(organization.id, secret, 5);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, secret);
  auto fetched = store_->get_client(client.id);
  ASSERT_EQ(fetched->secrets.size(), 2u);
  EXPECT_EQ(fetched->secrets[0], client.secrets[0]);
  EXPECT_EQ(fetched->secrets[1], secret);  // oldest first
}

// The token endpoint's narrow read must agree with the full one on everything it carries.
TEST_P(ClientStore, CredentialsAreTheClientNarrowedToWhatTokensNeed) {
  const Organization organization = create_organization();
  ApiClient client = new_client(organization.id, "d\xC3\xA9ployeur");
  client.custom_claims = {{"z", ""}, {"a", "\xE2\x82\xAC"}};
  client.expiry_seconds = 900;
  ASSERT_TRUE(store_->create_client(client).ok());
  Secret revoked = new_secret(client.id, 2);
  revoked.status = SecretStatus::inactive;
  revoked.expire_time = revoked.create_time + 24h;
  revoked.last_used_time = revoked.create_time;
  ASSERT_TRUE(store_->add_secret(organization.id, revoked, 5).ok());

  auto credentials = store_->get_client_credentials(client.id);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(*credentials, domain::credentials_of(*store_->get_client(client.id)));
  EXPECT_EQ(credentials->organization_id, organization.id);
  EXPECT_EQ(credentials->custom_claims, client.custom_claims);  // order kept
  ASSERT_EQ(credentials->secrets.size(), 2u);                   // oldest first
  EXPECT_EQ(credentials->secrets[0].id, client.secrets[0].id);
  EXPECT_EQ(credentials->secrets[0].hash, client.secrets[0].hash);
  EXPECT_EQ(credentials->secrets[1].status, SecretStatus::inactive);
  EXPECT_EQ(credentials->secrets[1].expire_time, revoked.expire_time);

  ApiClient bare = new_client(organization.id);
  bare.scopes.clear();
  bare.audience.clear();
  bare.custom_claims.clear();
  ASSERT_TRUE(store_->create_client(bare).ok());
  EXPECT_EQ(*store_->get_client_credentials(bare.id),
            domain::credentials_of(*store_->get_client(bare.id)));
}

TEST_P(ClientStore, CredentialsOfEnvironmentClientsAndMissingOnes) {
  const ApiClient admin = create_client("", "admin");
  auto credentials = store_->get_client_credentials(admin.id);
  ASSERT_TRUE(credentials.ok());
  EXPECT_FALSE(credentials->organization_id.has_value());
  EXPECT_EQ(*credentials, domain::credentials_of(admin));

  // The prefix must agree with the kind stored, both ways.
  const auto admin_number = domain::parse_id(IdKind::environment_client, admin.id);
  EXPECT_EQ(
      store_->get_client_credentials(domain::format_id(IdKind::api_client, *admin_number)).error(),
      StoreError::not_found);
  const ApiClient client = create_client(create_organization().id);
  const auto number = domain::parse_id(IdKind::api_client, client.id);
  EXPECT_EQ(store_->get_client_credentials(domain::format_id(IdKind::environment_client, *number))
                .error(),
            StoreError::not_found);

  for (const std::string& id :
       {std::string("m2morg_"), std::string("m2morg_01"), std::string("sks_1"), std::string(""),
        ids_.next(IdKind::api_client)}) {
    EXPECT_EQ(store_->get_client_credentials(id).error(), StoreError::not_found) << id;
  }
  ASSERT_TRUE(store_->delete_client(client.organization_id.value(), client.id).ok());
  EXPECT_EQ(store_->get_client_credentials(client.id).error(), StoreError::not_found);
}

TEST_P(ClientStore, AtMostMaxSecretsPerClient) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  for (int i = 2; i <= 5; ++i) {
    ASSERT_TRUE(store_->add_secret(organization.id, new_secret(client.id), 5).ok()) << i;
  }
  const Secret sixth = new_secret(client.id);
  EXPECT_EQ(store_->add_secret(organization.id, sixth, 5).error(), StoreError::failed_precondition);
  EXPECT_EQ(store_->get_client(client.id)->secrets.size(), 5u);
  ASSERT_TRUE(store_->delete_secret(organization.id, client.id, client.secrets[0].id).ok());
  EXPECT_TRUE(store_->add_secret(organization.id, sixth, 5).ok());
}

TEST_P(ClientStore, SecretLimitHoldsUnderConcurrentAdds) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  std::atomic<int> added{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, secret = new_secret(client.id)] {
      auto result = store_->add_secret(organization.id, secret, 5);
      if (result.ok()) {
        ++added;
      } else if (result.error() == StoreError::failed_precondition) {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(added.load(), 4);
  EXPECT_EQ(refused.load(), 8);
  EXPECT_EQ(store_->get_client(client.id)->secrets.size(), 5u);
}

TEST_P(ClientStore, TheLastSecretCannotBeDeleted) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  EXPECT_EQ(store_->delete_secret(organization.id, client.id, client.secrets[0].id).error(),
            StoreError::failed_precondition);
  EXPECT_EQ(store_->get_client(client.id)->secrets.size(), 1u);
}

TEST_P(ClientStore, ASecretOfAnotherClientIsNotFound) {
  const Organization organization = create_organization();
  const ApiClient mine = create_client(organization.id, "mine");
  const ApiClient theirs = create_client(organization.id, "theirs");
  ASSERT_TRUE(store_->add_secret(organization.id, new_secret(mine.id), 5).ok());
  EXPECT_EQ(store_->delete_secret(organization.id, mine.id, theirs.secrets[0].id).error(),
            StoreError::not_found);
  EXPECT_EQ(store_->delete_secret(organization.id, mine.id, ids_.next(IdKind::secret)).error(),
            StoreError::not_found);
  EXPECT_EQ(store_->delete_secret(organization.id, mine.id, "sks_x").error(),
            StoreError::not_found);
  EXPECT_EQ(store_->get_client(theirs.id)->secrets.size(), 1u);
}

TEST_P(ClientStore, RecordSecretUsesInOneBatch) {
  const Organization organization = create_organization();
  const ApiClient a = create_client(organization.id, "a");
  const ApiClient b = create_client(organization.id, "b");
  const domain::Timestamp t1 = domain::now();
  const domain::Timestamp t2 = t1 + 3s;
  const std::vector<SecretUse> uses{
      {a.secrets[0].id, t1},
      {b.secrets[0].id, t2},
      {ids_.next(IdKind::secret), t2},  // deleted meanwhile: skipped
      {"not-an-id", t2},
  };
  ASSERT_TRUE(store_->record_secret_uses(uses).ok());
  EXPECT_EQ(store_->get_client(a.id)->secrets[0].last_used_time, t1);
  EXPECT_EQ(store_->get_client(b.id)->secrets[0].last_used_time, t2);
  // update_time is about the record, not its use.
  EXPECT_EQ(store_->get_client(a.id)->secrets[0].update_time, a.secrets[0].update_time);

  // An older report never moves the time back.
  const std::vector<SecretUse> stale{{a.secrets[0].id, t1 - 1h}};
  ASSERT_TRUE(store_->record_secret_uses(stale).ok());
  EXPECT_EQ(store_->get_client(a.id)->secrets[0].last_used_time, t1);
  EXPECT_TRUE(store_->record_secret_uses({}).ok());
}

// A secret made through the API is stored with a last_used_time (its creation); one stored without
// (a bulk import) gets it from its first recorded use. Both kinds in one batch, both directions.
TEST_P(ClientStore, RecordSecretUsesWithAndWithoutAStoredTime) {
  const Organization organization = create_organization();
  const domain::Timestamp created = domain::now();
  ApiClient with_time = new_client(organization.id, "with time");
  with_time.secrets[0].last_used_time = created;
  ASSERT_TRUE(store_->create_client(with_time).ok());
  const ApiClient without_time = create_client(organization.id, "without time");
  ASSERT_FALSE(store_->get_client(without_time.id)->secrets[0].last_used_time.has_value());
  ASSERT_EQ(store_->get_client(with_time.id)->secrets[0].last_used_time, created);

  const std::vector<SecretUse> uses{{with_time.secrets[0].id, created + 5s},
                                    {without_time.secrets[0].id, created + 7s}};
  ASSERT_TRUE(store_->record_secret_uses(uses).ok());
  EXPECT_EQ(store_->get_client(with_time.id)->secrets[0].last_used_time, created + 5s);
  EXPECT_EQ(store_->get_client(without_time.id)->secrets[0].last_used_time, created + 7s);

  const std::vector<SecretUse> stale{{with_time.secrets[0].id, created - 1h},
                                     {without_time.secrets[0].id, created}};
  ASSERT_TRUE(store_->record_secret_uses(stale).ok());
  EXPECT_EQ(store_->get_client(with_time.id)->secrets[0].last_used_time, created + 5s);
  EXPECT_EQ(store_->get_client(without_time.id)->secrets[0].last_used_time, created + 7s);
}

TEST_P(ClientStore, UsesGoWithTheirSecretAndClient) {
  if (backend() == Backend::postgres) GTEST_SKIP() << "secret_uses is SQLite's table";
  const Organization organization = create_organization();
  const ApiClient a = create_client(organization.id, "a");
  const ApiClient b = create_client(organization.id, "b");
  const std::vector<SecretUse> uses{{a.secrets[0].id, domain::now()},
                                    {b.secrets[0].id, domain::now()}};
  ASSERT_TRUE(store_->record_secret_uses(uses).ok());
  EXPECT_EQ(count_rows("secret_uses"), 2);
  ASSERT_TRUE(store_->delete_client(organization.id, a.id).ok());
  EXPECT_EQ(count_rows("secret_uses"), 1);
  ASSERT_TRUE(store_->delete_organization(organization.id).ok());
  EXPECT_EQ(count_rows("secret_uses"), 0);
}

TESSERA_ALL_BACKENDS(ClientStore);

}  // namespace
}  // namespace tessera::store::testing
