// The management use cases against a real SQLite store, and the token endpoint's authentication
// path that depends on them (cache invalidation is what makes revocation immediate).
#include "server/manage/service.hpp"

#include <gtest/gtest.h>

#include "server/auth/authenticator.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace tessera::manage {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest()
      : store(std::move(*store::open_sqlite_store({.path = dir.path() / "t.db"}))),
        hasher(keys::MasterKey::from_text(std::string(64, 'a'))->derive(auth::kSecretHashKeyLabel)),
        cache(1000),
        service(*store, ids, hasher, cache, {}),
        authenticator(*store, cache, hasher) {}

  // What the token endpoint does: memory first, the store on a miss.
  bool authenticates(const std::string& client_id, const std::string& secret) {
    const auto now = domain::now();
    auto entry = authenticator.cached(client_id, now);
    if (entry.state == auth::ClientCache::State::unknown)
      entry = *authenticator.load(client_id, now);
    return authenticator.verify(entry, secret, now).ok();
  }

  std::string organization() { return service.create_organization({.display_name = "Acme"})->id; }

  ClientDraft seed_draft() {
    return {
        .name = "GitHub Actions Deployment Service",
        .description = "Service account for GitHub Actions to deploy applications to production",
        .scopes = {"deploy:applications", "read:deployments"},
        .expiry_seconds = 3600};
  }

  testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  domain::IdGenerator ids;
  auth::SecretHasher hasher;
  auth::ClientCache cache;
  Service service;
  auth::ClientAuthenticator authenticator;
};

TEST_F(ServiceTest, CreatesAClientWhoseSecretAuthenticatesAndIsStoredOnlyHashed) {
  const auto org = organization();
  auto created = service.create_client(org, seed_draft());
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->client.organization_id, org);
  ASSERT_EQ(created->client.secrets.size(), 1u);
  EXPECT_EQ(created->client.secrets[0].suffix,
            created->plain_secret.substr(created->plain_secret.size() - 4));
  EXPECT_TRUE(created->client.secrets[0].last_used_time.has_value());
  EXPECT_TRUE(authenticates(created->client.id, created->plain_secret));
  EXPECT_FALSE(authenticates(created->client.id, created->plain_secret + "x"));
  EXPECT_EQ(hasher.hash(created->plain_secret), created->client.secrets[0].hash);
}

TEST_F(ServiceTest, ReportsValidationErrorsAsFieldViolations) {
  auto draft = seed_draft();
  draft.name = std::string(129, 'n');
  draft.expiry_seconds = 299;
  draft.scopes.push_back("tessera:management");
  auto created = service.create_client(organization(), draft);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, ErrorKind::invalid_argument);
  EXPECT_GE(created.error().violations.size(), 3u);
  EXPECT_EQ(created.error().message.rfind("name: ", 0), 0u) << created.error().message;
}

TEST_F(ServiceTest, UnknownAndMalformedIdsAreNotFound) {
  EXPECT_EQ(service.get_organization("org_123").error().kind, ErrorKind::not_found);
  EXPECT_EQ(service.get_organization("nonsense").error().kind, ErrorKind::not_found);
  EXPECT_EQ(service.create_client("org_123", seed_draft()).error().kind, ErrorKind::not_found);
  EXPECT_EQ(service.get_client(organization(), "m2morg_1").error().kind, ErrorKind::not_found);
}

TEST_F(ServiceTest, RevocationIsImmediateEvenWhenTheClientIsCached) {
  const auto org = organization();
  auto created = *service.create_client(org, seed_draft());
  ASSERT_TRUE(authenticates(created.client.id, created.plain_secret));  // now cached

  auto second = service.add_secret(org, created.client.id);
  ASSERT_TRUE(second);
  EXPECT_TRUE(authenticates(created.client.id, second->plain_secret));
  EXPECT_TRUE(authenticates(created.client.id, created.plain_secret));

  ASSERT_TRUE(service.delete_secret(org, created.client.id, created.client.secrets[0].id));
  EXPECT_FALSE(authenticates(created.client.id, created.plain_secret));
  EXPECT_TRUE(authenticates(created.client.id, second->plain_secret));

  ASSERT_TRUE(service.delete_client(org, created.client.id));
  EXPECT_FALSE(authenticates(created.client.id, second->plain_secret));
}

TEST_F(ServiceTest, DeletingTheOrganizationRevokesItsClients) {
  const auto org = organization();
  auto created = *service.create_client(org, seed_draft());
  ASSERT_TRUE(authenticates(created.client.id, created.plain_secret));
  ASSERT_TRUE(service.delete_organization(org));
  EXPECT_FALSE(authenticates(created.client.id, created.plain_secret));
}

TEST_F(ServiceTest, AClientProbedBeforeItExistedAuthenticatesOnceCreated) {
  const auto org = organization();
  // Ids are predictable; a probe for a future id leaves an "absent" entry in the cache.
  const std::string future =
      domain::format_id(domain::IdKind::api_client, ids.next_value() + 65536);
  EXPECT_FALSE(authenticates(future, "x"));
  auto created = *service.create_client(org, seed_draft());
  EXPECT_TRUE(authenticates(created.client.id, created.plain_secret));
}

TEST_F(ServiceTest, SecretLimitsAreEnforced) {
  const auto org = organization();
  auto created = *service.create_client(org, seed_draft());
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(service.add_secret(org, created.client.id));
  auto sixth = service.add_secret(org, created.client.id);
  ASSERT_FALSE(sixth);
  EXPECT_EQ(sixth.error().kind, ErrorKind::failed_precondition);

  auto only = *service.create_client(org, seed_draft());
  auto last = service.delete_secret(org, only.client.id, only.client.secrets[0].id);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().kind, ErrorKind::failed_precondition);
}

TEST_F(ServiceTest, EnsuresConfiguredAdminCredentials) {
  const std::string secret(40, 's');
  ASSERT_TRUE(service.ensure_environment_client("skc_42", secret));
  EXPECT_TRUE(authenticates("skc_42", secret));
  ASSERT_TRUE(service.ensure_environment_client("skc_42", secret));  // idempotent
  const std::string rotated(40, 't');
  ASSERT_TRUE(service.ensure_environment_client("skc_42", rotated));
  EXPECT_TRUE(authenticates("skc_42", rotated));
  EXPECT_EQ(service.list_environment_clients()->size(), 1u);

  EXPECT_EQ(service.ensure_environment_client("m2morg_1", secret).error().kind,
            ErrorKind::invalid_argument);
  EXPECT_EQ(service.ensure_environment_client("skc_43", "short").error().kind,
            ErrorKind::invalid_argument);
}

TEST_F(ServiceTest, DuplicateExternalIdIsAlreadyExists) {
  ASSERT_TRUE(service.create_organization({.display_name = "A", .external_id = "ext-1"}));
  auto again = service.create_organization({.display_name = "B", .external_id = "ext-1"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::already_exists);
}

}  // namespace
}  // namespace tessera::manage
