// Secret rotation and revocation: a second secret overlaps the first, a deleted secret, client or
// organization fails at the very next token request, at most five secrets, never zero, and no
// object is reachable through another organization's path.
#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

class SecretsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    seed = api->create_client_raw(org_id, kSeedClientBody);
  }

  std::string client_path(std::string_view org, std::string_view client) const {
    return "/api/v1/organizations/" + std::string(org) + "/clients/" + std::string(client);
  }
  std::string first_secret_id() const {
    return seed.client.at("secrets").at(0).at("id").get<std::string>();
  }
  int token_status(std::string_view id, std::string_view secret) {
    return api->token_post(id, secret).status;
  }

  std::string org_id;
  CreatedClient seed;
};

TEST_F(SecretsTest, SecondSecretOverlapsThenTheDeletedOneFailsAtOnce) {
  ASSERT_EQ(token_status(seed.id(), seed.plain_secret), 200);  // cached by the token endpoint now

  const auto added = api->call("POST", client_path(org_id, seed.id()) + "/secrets");
  ASSERT_EQ(added.status, 201) << added.describe();
  EXPECT_EQ(added.header("cache-control"), "no-store");
  const Json body = added.json();
  ASSERT_TRUE(body.at("plain_secret").is_string());
  const std::string second = body.at("plain_secret").get<std::string>();
  EXPECT_NE(second, seed.plain_secret);
  const Json& secret = body.at("secret");
  EXPECT_TRUE(is_id(secret.at("id"), "sks"));
  EXPECT_NE(secret.at("id"), first_secret_id());
  EXPECT_EQ(secret.at("secret_suffix"), second.substr(second.size() - 4));
  EXPECT_EQ(secret.at("status"), "ACTIVE");
  EXPECT_TRUE(is_rfc3339_utc(secret.at("create_time")));
  EXPECT_EQ(secret.dump().find(second), std::string::npos);

  // The client lists both, without values.
  const auto got = api->call("GET", client_path(org_id, seed.id()));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("client").at("secrets").size(), 2u);
  EXPECT_EQ(got.body.find(second), std::string::npos);
  EXPECT_EQ(got.body.find("plain_secret"), std::string::npos);

  // Overlap: both authenticate, both ways.
  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 200);
  EXPECT_EQ(token_status(seed.id(), second), 200);
  EXPECT_EQ(api->token_basic(seed.id(), seed.plain_secret).status, 200);
  EXPECT_EQ(api->token_basic(seed.id(), second).status, 200);

  const auto deleted =
      api->call("DELETE", client_path(org_id, seed.id()) + "/secrets/" + first_secret_id());
  ASSERT_EQ(deleted.status, 200) << deleted.describe();
  EXPECT_EQ(deleted.json(), Json::object());

  // The very next request with the old secret fails; the new one keeps working.
  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 401);
  EXPECT_EQ(api->token_basic(seed.id(), seed.plain_secret).status, 401);
  EXPECT_EQ(token_status(seed.id(), second), 200);
  const Json after = api->call("GET", client_path(org_id, seed.id())).json().at("client");
  ASSERT_EQ(after.at("secrets").size(), 1u);
  EXPECT_EQ(after.at("secrets").at(0).at("id"), secret.at("id"));

  // Deleting it again: gone.
  EXPECT_EQ(
      api->call("DELETE", client_path(org_id, seed.id()) + "/secrets/" + first_secret_id()).status,
      404);
}

TEST_F(SecretsTest, AtMostFiveSecrets) {
  for (int i = 2; i <= 5; ++i) {
    const auto added = api->call("POST", client_path(org_id, seed.id()) + "/secrets");
    ASSERT_EQ(added.status, 201) << "secret " << i << ": " << added.describe();
  }
  const auto sixth = api->call("POST", client_path(org_id, seed.id()) + "/secrets");
  EXPECT_EQ(sixth.status, 400) << sixth.describe();
  const Json error = sixth.json();
  EXPECT_EQ(error.at("code"), 9);
  EXPECT_EQ(error.at("details").at(0).at("error_code"), "FAILED_PRECONDITION");
  EXPECT_FALSE(error.contains("plain_secret"));
  EXPECT_EQ(
      api->call("GET", client_path(org_id, seed.id())).json().at("client").at("secrets").size(),
      5u);
  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 200);
}

TEST_F(SecretsTest, DeletingTheLastSecretIsRefused) {
  const auto refused =
      api->call("DELETE", client_path(org_id, seed.id()) + "/secrets/" + first_secret_id());
  EXPECT_EQ(refused.status, 400) << refused.describe();
  EXPECT_EQ(refused.json().at("code"), 9);
  EXPECT_EQ(refused.json().at("details").at(0).at("error_code"), "FAILED_PRECONDITION");
  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 200);
  EXPECT_EQ(
      api->call("GET", client_path(org_id, seed.id())).json().at("client").at("secrets").size(),
      1u);
}

TEST_F(SecretsTest, UnknownOrMalformedSecretIdIsNotFound) {
  api->add_secret(org_id, seed.id());
  for (const char* id : {"sks_1000000000000001", "sks_abc", "m2morg_1000000000000001", "x"}) {
    SCOPED_TRACE(id);
    const auto response =
        api->call("DELETE", client_path(org_id, seed.id()) + "/secrets/" + std::string(id));
    EXPECT_EQ(response.status, 404) << response.describe();
    EXPECT_EQ(response.json().at("code"), 5);
  }
  EXPECT_EQ(
      api->call("GET", client_path(org_id, seed.id())).json().at("client").at("secrets").size(),
      2u);
}

TEST_F(SecretsTest, DeletingAClientRevokesItsSecretAtOnce) {
  const CreatedClient survivor = api->create_client(org_id, Json{{"name", "survivor"}});
  ASSERT_EQ(token_status(seed.id(), seed.plain_secret), 200);
  const auto deleted = api->call("DELETE", client_path(org_id, seed.id()));
  ASSERT_EQ(deleted.status, 200) << deleted.describe();
  EXPECT_EQ(deleted.json(), Json::object());

  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 401);
  EXPECT_EQ(api->token_basic(seed.id(), seed.plain_secret).status, 401);
  EXPECT_EQ(api->call("GET", client_path(org_id, seed.id())).status, 404);
  EXPECT_EQ(api->call("DELETE", client_path(org_id, seed.id())).status, 404);
  EXPECT_EQ(api->call("POST", client_path(org_id, seed.id()) + "/secrets").status, 404);
  const Json listed = api->call("GET", "/api/v1/organizations/" + org_id + "/clients").json();
  ASSERT_EQ(listed.at("clients").size(), 1u);
  EXPECT_EQ(listed.at("clients").at(0).at("client_id"), survivor.id());
  EXPECT_EQ(token_status(survivor.id(), survivor.plain_secret), 200);
}

TEST_F(SecretsTest, DeletingAnOrganizationRevokesItsClientsAtOnce) {
  const CreatedClient second = api->create_client(org_id, Json{{"name", "second"}});
  const std::string other_org = api->create_organization("Other").at("id").get<std::string>();
  const CreatedClient bystander = api->create_client(other_org, Json{{"name", "bystander"}});
  ASSERT_EQ(token_status(seed.id(), seed.plain_secret), 200);
  ASSERT_EQ(token_status(second.id(), second.plain_secret), 200);

  const auto deleted = api->call("DELETE", "/api/v1/organizations/" + org_id);
  ASSERT_EQ(deleted.status, 200) << deleted.describe();
  EXPECT_EQ(deleted.json(), Json::object());

  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 401);
  EXPECT_EQ(token_status(second.id(), second.plain_secret), 401);
  EXPECT_EQ(api->token_basic(second.id(), second.plain_secret).status, 401);
  EXPECT_EQ(api->call("GET", "/api/v1/organizations/" + org_id).status, 404);
  EXPECT_EQ(api->call("GET", client_path(org_id, seed.id())).status, 404);
  EXPECT_EQ(api->call("GET", "/api/v1/organizations/" + org_id + "/clients").status, 404);
  EXPECT_EQ(token_status(bystander.id(), bystander.plain_secret), 200);
}

TEST_F(SecretsTest, ClientUnderAnotherOrganizationsPathIsNotFound) {
  const std::string other_org = api->create_organization("Mallory Ltd").at("id").get<std::string>();
  const CreatedClient mallory = api->create_client(other_org, Json{{"name", "mallory's client"}});
  const std::string wrong = client_path(other_org, seed.id());
  const std::string secret_id = first_secret_id();

  struct Attempt {
    const char* method;
    std::string target;
    std::optional<Json> body;
  };
  const std::vector<Attempt> attempts{
      {"GET", wrong, std::nullopt},
      {"PATCH", wrong, Json{{"name", "hijacked"}, {"scopes", {"admin"}}}},
      {"POST", wrong + "/secrets", std::nullopt},
      {"DELETE", wrong + "/secrets/" + secret_id, std::nullopt},
      // The secret id of one client under another client of the same organization.
      {"DELETE", client_path(other_org, mallory.id()) + "/secrets/" + secret_id, std::nullopt},
      {"DELETE", wrong, std::nullopt},
  };
  for (const auto& attempt : attempts) {
    SCOPED_TRACE(std::string(attempt.method) + " " + attempt.target);
    const auto response = api->call(attempt.method, attempt.target, attempt.body);
    EXPECT_EQ(response.status, 404) << response.describe();
    EXPECT_EQ(response.json().at("code"), 5);
  }
  const Json listed = api->call("GET", "/api/v1/organizations/" + other_org + "/clients").json();
  ASSERT_EQ(listed.at("clients").size(), 1u);
  EXPECT_EQ(listed.at("clients").at(0).at("client_id"), mallory.id());

  // Nothing happened to the client.
  const auto got = api->call("GET", client_path(org_id, seed.id()));
  ASSERT_EQ(got.status, 200);
  const Json client = got.json().at("client");
  EXPECT_EQ(client.at("name"), "GitHub Actions Deployment Service");
  EXPECT_EQ(client.at("scopes"), seed.client.at("scopes"));
  EXPECT_EQ(client.at("secrets").size(), 1u);
  EXPECT_EQ(token_status(seed.id(), seed.plain_secret), 200);
}

}  // namespace
}  // namespace tessera::it
