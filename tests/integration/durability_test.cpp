// Durability across kill -9 and restarts, and the environment (admin) credentials: printed once on
// the first start, or configured through TESSERA_ADMIN_CLIENT_ID / _SECRET and never printed.
#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

class DurabilityTest : public ServerTest {};

TEST_F(DurabilityTest, ClientAcknowledgedBeforeKillNineSurvives) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient created = api->create_client_raw(org_id, kSeedClientBody);
  server->kill9();  // right after the 201

  server->start();
  api->set_admin(api->admin_id(), api->admin_secret());  // new token from the restarted server
  const auto got = api->call("GET", "/api/v1/organizations/" + org_id + "/clients/" + created.id());
  ASSERT_EQ(got.status, 200) << got.describe();
  const Json client = got.json().at("client");
  EXPECT_EQ(client.at("name"), "GitHub Actions Deployment Service");
  EXPECT_EQ(client.at("scopes"), created.client.at("scopes"));
  EXPECT_EQ(client.at("secrets").at(0).at("id"), created.client.at("secrets").at(0).at("id"));
  const auto token = api->token_post(created.id(), created.plain_secret);
  ASSERT_EQ(token.status, 200) << token.describe();
  EXPECT_EQ(decode_jwt(token.json().at("access_token").get<std::string>()).claims.at("oid"),
            org_id);
}

TEST_F(DurabilityTest, SecretRotationSurvivesKillNine) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient created = api->create_client_raw(org_id, kSeedClientBody);
  const std::string second =
      api->add_secret(org_id, created.id()).at("plain_secret").get<std::string>();
  require_status(
      api->call("DELETE", "/api/v1/organizations/" + org_id + "/clients/" + created.id() +
                              "/secrets/" +
                              created.client.at("secrets").at(0).at("id").get<std::string>()),
      200, "delete secret");
  const CreatedClient doomed = api->create_client(org_id, Json{{"name", "doomed"}});
  require_status(api->call("DELETE", "/api/v1/organizations/" + org_id + "/clients/" + doomed.id()),
                 200, "delete client");
  server->kill9();

  server->start();
  EXPECT_EQ(api->token_post(created.id(), created.plain_secret).status, 401);
  EXPECT_EQ(api->token_post(created.id(), second).status, 200);
  EXPECT_EQ(api->token_post(doomed.id(), doomed.plain_secret).status, 401);
}

TEST_F(DurabilityTest, SigningKeysAreUnchangedAcrossRestarts) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient created = api->create_client_raw(org_id, kSeedClientBody);
  const std::string token = api->access_token(created.id(), created.plain_secret);
  const std::string jwks = request(server->port(), "GET", "/keys").body;

  EXPECT_EQ(server->stop(), 0);  // graceful
  server->start();
  EXPECT_EQ(request(server->port(), "GET", "/keys").body, jwks);
  server->kill9();
  server->start();
  EXPECT_EQ(request(server->port(), "GET", "/keys").body, jwks);

  // Same issuer (same port), same key: the token from before the restarts still verifies, and new
  // tokens carry the same kid.
  const auto verified = make_verifier(server->url()).verify(token);
  EXPECT_TRUE(verified.ok()) << verify::to_string(verified.error());
  const std::string later = api->access_token(created.id(), created.plain_secret);
  EXPECT_EQ(decode_jwt(later).header.at("kid"), decode_jwt(token).header.at("kid"));
}

TEST_F(DurabilityTest, FirstStartCredentialsArePrintedOnceAndKeepWorking) {
  EXPECT_TRUE(is_id(Json(server->printed_client_id()), "skc")) << server->printed_client_id();
  EXPECT_GE(server->printed_client_secret().size(), 43u);
  const std::string first_token = api->admin_token();
  const Jwt jwt = decode_jwt(first_token);
  EXPECT_EQ(jwt.claims.at("sub"), server->printed_client_id());
  EXPECT_FALSE(jwt.claims.contains("oid"));  // not an organization's API client

  for (const bool crash : {false, true}) {
    SCOPED_TRACE(crash ? "after kill -9" : "after SIGTERM");
    if (crash) {
      server->kill9();
    } else {
      EXPECT_EQ(server->stop(), 0);
    }
    server->start();
    const std::string out = server->last_stdout();
    EXPECT_NE(out.find("tessera: listening on"), std::string::npos);
    EXPECT_EQ(out.find("TESSERA_CLIENT_ID="), std::string::npos) << out;
    EXPECT_EQ(out.find("TESSERA_CLIENT_SECRET="), std::string::npos) << out;
    EXPECT_EQ(out.find(server->printed_client_secret()), std::string::npos);

    api->set_admin(server->printed_client_id(), server->printed_client_secret());
    EXPECT_EQ(api->call("GET", "/api/v1/organizations").status, 200);
    // The token from the first run is still valid too (same key, same issuer).
    EXPECT_EQ(api->call_as(first_token, "GET", "/api/v1/organizations").status, 200);
  }
  // Printed exactly once over all runs.
  const std::string all = server->all_stdout();
  EXPECT_EQ(all.find("TESSERA_CLIENT_SECRET="), all.rfind("TESSERA_CLIENT_SECRET="));
}

// Item 11: configured environment credentials.
class ConfiguredAdminTest : public ServerTest {
 protected:
  static constexpr std::string_view kId = "skc_73019488261947392";
  static constexpr std::string_view kSecret = "configured-admin-secret-0123456789-abcdefghij";

  ServerOptions server_options() override {
    return {.env = {{"TESSERA_ADMIN_CLIENT_ID", std::string(kId)},
                    {"TESSERA_ADMIN_CLIENT_SECRET", std::string(kSecret)}}};
  }
};

TEST_F(ConfiguredAdminTest, ConfiguredCredentialsWorkAndNothingIsPrinted) {
  EXPECT_EQ(server->printed_client_id(), "");
  EXPECT_EQ(server->printed_client_secret(), "");
  const std::string out = server->all_stdout();
  EXPECT_EQ(out.find("TESSERA_CLIENT_ID="), std::string::npos) << out;
  EXPECT_EQ(out.find("TESSERA_CLIENT_SECRET="), std::string::npos) << out;
  EXPECT_EQ(out.find(kSecret), std::string::npos);
  EXPECT_EQ(server->all_stderr().find(kSecret), std::string::npos);

  const auto token = api->token_post(kId, kSecret);
  ASSERT_EQ(token.status, 200) << token.describe();
  EXPECT_EQ(decode_jwt(token.json().at("access_token").get<std::string>()).claims.at("sub"), kId);
  EXPECT_EQ(api->token_basic(kId, kSecret).status, 200);
  EXPECT_EQ(api->call("POST", "/api/v1/organizations", Json{{"display_name", "Configured"}}).status,
            201);
  EXPECT_EQ(api->token_post(kId, std::string(kSecret) + "x").status, 401);

  // Still exactly these credentials after a restart, still nothing printed, data kept.
  EXPECT_EQ(server->stop(), 0);
  server->start();
  EXPECT_EQ(server->last_stdout().find("TESSERA_CLIENT_SECRET="), std::string::npos);
  api->set_admin(std::string(kId), std::string(kSecret));
  const auto listed = api->call("GET", "/api/v1/organizations");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json().at("total_size"), 1);
}

TEST(ConfiguredAdmin, IncompleteOrInvalidConfigurationRefusesToStart) {
  const std::vector<std::map<std::string, std::string>> configurations{
      {{"TESSERA_ADMIN_CLIENT_ID", "skc_73019488261947392"}},
      {{"TESSERA_ADMIN_CLIENT_SECRET", "configured-admin-secret-0123456789-abcdefghij"}},
      {{"TESSERA_ADMIN_CLIENT_ID", "m2morg_73019488261947392"},
       {"TESSERA_ADMIN_CLIENT_SECRET", "configured-admin-secret-0123456789-abcdefghij"}},
      {{"TESSERA_ADMIN_CLIENT_ID", "skc_73019488261947392"},
       {"TESSERA_ADMIN_CLIENT_SECRET", "short"}},
  };
  for (const auto& env : configurations) {
    ServerProcess server({.env = env});
    EXPECT_THROW(server.start(), std::runtime_error) << "started with " << Json(env).dump();
    EXPECT_EQ(server.all_stdout().find("TESSERA_CLIENT_SECRET="), std::string::npos);
  }
}

}  // namespace
}  // namespace tessera::it
