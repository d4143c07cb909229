// examples/register_client, built, against a real server: the guide's first example.
#include <gtest/gtest.h>

#include "unit/cli/run_command.hpp"
#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

TEST(RegisterClientExample, RegistersTheDeploymentServiceAndPrintsItsCredentials) {
  LiveServer server;
  Client tessera = server.client();
  auto org = tessera.organizations().create_organization({.display_name = "Acme"});
  ASSERT_TRUE(org) << org.error().describe();

  const auto result = run_command(REGISTER_CLIENT_BINARY, {},
                                  {{"TESSERA_URL", server.url()},
                                   {"TESSERA_CLIENT_ID", server.client_id()},
                                   {"TESSERA_CLIENT_SECRET", server.client_secret()},
                                   {"TESSERA_ORGANIZATION_ID", org->id}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string prefix = "Created API client: ";
  ASSERT_TRUE(result.out.starts_with(prefix)) << result.out;
  const std::string id = result.out.substr(prefix.size(), result.out.find('\n') - prefix.size());
  EXPECT_TRUE(result.err.find("never shown again") != std::string::npos) << result.err;
  const auto secret_at = result.out.find("Client secret: ");
  ASSERT_NE(secret_at, std::string::npos);
  std::string secret = result.out.substr(secret_at + 15);
  secret.pop_back();  // newline

  auto client = tessera.m2m().get_client(org->id, id);
  ASSERT_TRUE(client) << client.error().describe();
  EXPECT_EQ(client->name, "GitHub Actions Deployment Service");
  EXPECT_EQ(client->scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  EXPECT_EQ(client->expiry, std::chrono::seconds(3600));
  auto token = tessera.tokens().get_token(id, secret);
  ASSERT_TRUE(token) << token.error().describe();
  EXPECT_EQ(token->scopes, client->scopes);
}

TEST(RegisterClientExample, ReportsServerErrors) {
  LiveServer server;
  const auto result = run_command(REGISTER_CLIENT_BINARY, {},
                                  {{"TESSERA_URL", server.url()},
                                   {"TESSERA_CLIENT_ID", server.client_id()},
                                   {"TESSERA_CLIENT_SECRET", server.client_secret()},
                                   {"TESSERA_ORGANIZATION_ID", "org_1"}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.err.starts_with("Error creating API client: NOT_FOUND (HTTP 404)"))
      << result.err;
  EXPECT_TRUE(result.out.empty());
}

}  // namespace
}  // namespace tessera::testing
