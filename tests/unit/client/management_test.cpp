// Every management call of tessera::Client against a real server.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tessera/verify/jwks_cache.hpp"
#include "tessera/verify/verifier.hpp"
#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;
using client::Code;

class ManagementTest : public ::testing::Test {
 protected:
  LiveServer server_;
  Client tessera_ = server_.client();
};

std::set<std::string> ids_of(const std::vector<client::Organization>& orgs) {
  std::set<std::string> ids;
  for (const auto& org : orgs)
    ids.insert(org.id);
  return ids;
}

TEST_F(ManagementTest, OrganizationsCreateGetListUpdateDelete) {
  auto orgs = tessera_.organizations();
  auto acme = orgs.create_organization(
      {.display_name = "Acme", .external_id = "acme-1", .metadata = {{"tier", "gold"}}});
  ASSERT_TRUE(acme) << acme.error().describe();
  EXPECT_TRUE(acme->id.starts_with("org_"));
  EXPECT_EQ(acme->display_name, "Acme");
  EXPECT_EQ(acme->external_id, "acme-1");
  EXPECT_EQ(acme->metadata.at("tier"), "gold");
  EXPECT_GT(acme->create_time, std::chrono::system_clock::now() - 1h);

  auto globex = orgs.create_organization({.display_name = "Globex"});
  ASSERT_TRUE(globex) << globex.error().describe();
  EXPECT_TRUE(globex->external_id.empty());

  auto got = orgs.get_organization(acme->id);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->display_name, "Acme");
  EXPECT_EQ(got->create_time, acme->create_time);

  // Paging one at a time walks both.
  auto first = orgs.list_organizations({.page_size = 1});
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->total_size, 2);
  ASSERT_EQ(first->items.size(), 1u);
  ASSERT_FALSE(first->next_page_token.empty());
  auto second = orgs.list_organizations({.page_size = 1, .page_token = first->next_page_token});
  ASSERT_TRUE(second) << second.error().describe();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(ids_of({first->items[0], second->items[0]}), ids_of({*acme, *globex}));

  auto renamed = orgs.update_organization(acme->id, {.display_name = "Acme Corp"});
  ASSERT_TRUE(renamed) << renamed.error().describe();
  EXPECT_EQ(renamed->display_name, "Acme Corp");
  EXPECT_EQ(renamed->external_id, "acme-1");  // untouched
  EXPECT_GE(renamed->update_time, acme->update_time);

  ASSERT_TRUE(orgs.delete_organization(acme->id));
  auto gone = orgs.get_organization(acme->id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Code::not_found);
  EXPECT_EQ(gone.error().http_status, 404);
}

TEST_F(ManagementTest, CreateClientReturnsTheClientAndItsSecretOnce) {
  auto org = tessera_.organizations().create_organization({.display_name = "Acme"});
  ASSERT_TRUE(org);
  auto created = tessera_.m2m().create_client(
      org->id, {.name = "GitHub Actions Deployment Service",
                .description = "Service account for GitHub Actions to deploy applications",
                .scopes = {"deploy:applications", "read:deployments"},
                .audience = {"https://deploy.example.com"},
                .custom_claims = {{"team", "platform"}},
                .expiry = 3600s});
  ASSERT_TRUE(created) << created.error().describe();
  const auto& client = created->client;
  EXPECT_TRUE(client.client_id.starts_with("m2morg_"));
  EXPECT_EQ(client.organization_id, org->id);
  EXPECT_EQ(client.name, "GitHub Actions Deployment Service");
  EXPECT_EQ(client.scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  EXPECT_EQ(client.audience, std::vector<std::string>{"https://deploy.example.com"});
  ASSERT_EQ(client.custom_claims.size(), 1u);
  EXPECT_EQ(client.custom_claims[0].key, "team");
  EXPECT_EQ(client.custom_claims[0].value, "platform");
  EXPECT_EQ(client.expiry, 3600s);
  ASSERT_EQ(client.secrets.size(), 1u);
  EXPECT_TRUE(client.secrets[0].id.starts_with("sks_"));
  EXPECT_EQ(client.secrets[0].status, "ACTIVE");
  ASSERT_GE(created->plain_secret.size(), 4u);
  EXPECT_EQ(client.secrets[0].secret_suffix,
            created->plain_secret.substr(created->plain_secret.size() - 4));

  auto got = tessera_.m2m().get_client(org->id, client.client_id);
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->scopes, client.scopes);
  EXPECT_EQ(got->secrets.size(), 1u);
}

TEST_F(ManagementTest, ListUpdateAndDeleteClients) {
  auto seed = register_seed_client(tessera_);
  auto m2m = tessera_.m2m();
  auto other = m2m.create_client(seed.organization_id, {.name = "Nightly backup"});
  ASSERT_TRUE(other) << other.error().describe();

  auto listed = m2m.list_clients(seed.organization_id);
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_EQ(listed->total_size, 2);
  EXPECT_EQ(listed->items.size(), 2u);

  const std::string& id = seed.created.client.client_id;
  auto updated =
      m2m.update_client(seed.organization_id, id,
                        {.name = "Deployer",
                         .scopes = std::vector<std::string>{"read:deployments"},
                         .custom_claims = std::vector<client::CustomClaim>{{"env", "prod"}},
                         .expiry = 600s});
  ASSERT_TRUE(updated) << updated.error().describe();
  EXPECT_EQ(updated->name, "Deployer");
  EXPECT_EQ(updated->description, seed.created.client.description);  // untouched
  EXPECT_EQ(updated->scopes, std::vector<std::string>{"read:deployments"});
  ASSERT_EQ(updated->custom_claims.size(), 1u);
  EXPECT_EQ(updated->custom_claims[0].key, "env");
  EXPECT_EQ(updated->expiry, 600s);

  ASSERT_TRUE(m2m.delete_client(seed.organization_id, id));
  auto gone = m2m.get_client(seed.organization_id, id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Code::not_found);
  auto remaining = m2m.list_clients(seed.organization_id);
  ASSERT_TRUE(remaining);
  ASSERT_EQ(remaining->items.size(), 1u);
  EXPECT_EQ(remaining->items[0].client_id, other->client.client_id);
  // The deleted client's secret stops working at once.
  auto token = tessera_.tokens().get_token(id, seed.created.plain_secret);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().error_code, "invalid_client");
}

TEST_F(ManagementTest, AddAndRemoveSecrets) {
  auto seed = register_seed_client(tessera_);
  const std::string& id = seed.created.client.client_id;
  auto added = tessera_.m2m().add_secret(seed.organization_id, id);
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_TRUE(added->secret.id.starts_with("sks_"));
  EXPECT_NE(added->plain_secret, seed.created.plain_secret);
  EXPECT_TRUE(tessera_.tokens().get_token(id, added->plain_secret));
  EXPECT_TRUE(tessera_.tokens().get_token(id, seed.created.plain_secret));

  const std::string& first_secret = seed.created.client.secrets.at(0).id;
  ASSERT_TRUE(tessera_.m2m().remove_secret(seed.organization_id, id, first_secret));
  auto client = tessera_.m2m().get_client(seed.organization_id, id);
  ASSERT_TRUE(client);
  ASSERT_EQ(client->secrets.size(), 1u);
  EXPECT_EQ(client->secrets[0].id, added->secret.id);
  auto refused = tessera_.tokens().get_token(id, seed.created.plain_secret);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::unauthenticated);
  EXPECT_EQ(refused.error().http_status, 401);
  EXPECT_TRUE(tessera_.tokens().get_token(id, added->plain_secret));
}

TEST_F(ManagementTest, TokensCarryTheRequestedScopesAndVerify) {
  auto seed = register_seed_client(tessera_);
  const std::string& id = seed.created.client.client_id;
  auto all = tessera_.tokens().get_token(id, seed.created.plain_secret);
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->token_type, "Bearer");
  EXPECT_EQ(all->expires_in, 3600s);
  EXPECT_EQ(all->scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));

  auto narrow = tessera_.tokens().get_token(id, seed.created.plain_secret, {"read:deployments"});
  ASSERT_TRUE(narrow) << narrow.error().describe();
  EXPECT_EQ(narrow->scopes, std::vector<std::string>{"read:deployments"});

  auto keys = verify::JwksCache::create({.uri = server_.url() + "/keys", .allow_http = true});
  ASSERT_TRUE(keys);
  auto verifier = verify::Verifier::create({.issuer = server_.url(), .key_source = *keys});
  ASSERT_TRUE(verifier);
  auto claims = verifier->verify(narrow->access_token);
  ASSERT_TRUE(claims) << verify::to_string(claims.error());
  EXPECT_EQ(claims->client_id, id);
  EXPECT_EQ(claims->oid, seed.organization_id);
  EXPECT_EQ(claims->scopes, std::vector<std::string>{"read:deployments"});

  auto wider = tessera_.tokens().get_token(id, seed.created.plain_secret, {"admin"});
  ASSERT_FALSE(wider);
  EXPECT_EQ(wider.error().code, Code::invalid_argument);
  EXPECT_EQ(wider.error().error_code, "invalid_scope");
  EXPECT_EQ(wider.error().http_status, 400);
}

TEST_F(ManagementTest, ListAndRotateSigningKeys) {
  auto keys = tessera_.keys().list_keys();
  ASSERT_TRUE(keys) << keys.error().describe();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE(keys->at(0).id.starts_with("snk_"));
  EXPECT_EQ(keys->at(0).algorithm, "RS256");
  EXPECT_EQ(keys->at(0).state, "ACTIVE");

  auto rotated = tessera_.keys().rotate_key({.algorithm = "ES256", .activate_after = 600s});
  ASSERT_TRUE(rotated) << rotated.error().describe();
  EXPECT_EQ(rotated->algorithm, "ES256");
  EXPECT_EQ(rotated->state, "PENDING");
  EXPECT_GE(rotated->activate_time - rotated->create_time, 599s);

  auto after = tessera_.keys().list_keys();
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  const bool listed = std::any_of(after->begin(), after->end(),
                                  [&](const auto& key) { return key.id == rotated->id; });
  EXPECT_TRUE(listed);

  auto bad = tessera_.keys().rotate_key({.algorithm = "HS256"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::invalid_argument);
  ASSERT_EQ(bad.error().field_violations.size(), 1u);
  EXPECT_EQ(bad.error().field_violations[0].field, "algorithm");
}

TEST_F(ManagementTest, AuditLogRecordsAndFiltersChanges) {
  auto org = tessera_.organizations().create_organization({.display_name = "Acme"});
  ASSERT_TRUE(org);
  ASSERT_TRUE(tessera_.organizations().update_organization(org->id, {.display_name = "Acme 2"}));
  ASSERT_FALSE(tessera_.organizations().get_organization("org_1"));  // reads are not audited

  auto events = tessera_.audit().list_events({.target_id = org->id});
  ASSERT_TRUE(events) << events.error().describe();
  ASSERT_EQ(events->items.size(), 2u);
  std::set<std::string> actions;
  for (const auto& event : events->items) {
    actions.insert(event.action);
    EXPECT_TRUE(event.id.starts_with("aud_"));
    EXPECT_EQ(event.actor, server_.client_id());
    EXPECT_EQ(event.organization_id, org->id);
    EXPECT_EQ(event.outcome, "SUCCESS");
    EXPECT_GT(event.time, std::chrono::system_clock::now() - 1h);
  }
  EXPECT_EQ(actions, (std::set<std::string>{"organization.create", "organization.update"}));

  auto updates = tessera_.audit().list_events({.action = "organization.update"}, {.page_size = 1});
  ASSERT_TRUE(updates) << updates.error().describe();
  ASSERT_EQ(updates->items.size(), 1u);
  EXPECT_EQ(updates->items[0].action, "organization.update");
}

}  // namespace
}  // namespace tessera::testing
