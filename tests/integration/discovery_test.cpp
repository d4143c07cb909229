// Discovery documents, the JWKS endpoints and the health probes.
#include <algorithm>
#include <regex>
#include <set>

#include "integration/test_support.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::it {
namespace {

class DiscoveryTest : public ServerTest {};

TEST_F(DiscoveryTest, AuthorizationServerMetadata) {
  const auto oauth = request(server->port(), "GET", "/.well-known/oauth-authorization-server");
  const auto oidc = request(server->port(), "GET", "/.well-known/openid-configuration");
  ASSERT_EQ(oauth.status, 200) << oauth.describe();
  ASSERT_EQ(oidc.status, 200) << oidc.describe();
  EXPECT_EQ(oauth.header("content-type"), "application/json");
  EXPECT_EQ(oauth.body, oidc.body);

  const Json doc = oauth.json();
  EXPECT_EQ(doc.at("issuer"), server->url());
  EXPECT_FALSE(server->url().ends_with("/"));
  EXPECT_EQ(doc.at("token_endpoint"), server->url() + "/oauth/token");
  EXPECT_EQ(doc.at("jwks_uri"), server->url() + "/keys");
  EXPECT_EQ(doc.at("grant_types_supported"), Json::array({"client_credentials"}));
  const auto methods = doc.at("token_endpoint_auth_methods_supported");
  EXPECT_NE(std::find(methods.begin(), methods.end(), "client_secret_basic"), methods.end());
  EXPECT_NE(std::find(methods.begin(), methods.end(), "client_secret_post"), methods.end());

  // The advertised endpoints are the real ones.
  EXPECT_EQ(request(server->port(), "GET", "/keys").status, 200);
  EXPECT_EQ(request(server->port(), "GET", "/oauth/token").status, 405);
}

TEST_F(DiscoveryTest, JwksEndpointsAreIdenticalAndPublicOnly) {
  const auto keys = request(server->port(), "GET", "/keys");
  const auto well_known = request(server->port(), "GET", "/.well-known/jwks.json");
  ASSERT_EQ(keys.status, 200) << keys.describe();
  ASSERT_EQ(well_known.status, 200) << well_known.describe();
  EXPECT_EQ(keys.body, well_known.body);
  EXPECT_EQ(keys.header("content-type"), "application/json");
  EXPECT_EQ(keys.header("cache-control"), well_known.header("cache-control"));
  std::smatch match;
  const std::string cache_control = keys.header("cache-control");
  ASSERT_TRUE(std::regex_search(cache_control, match, std::regex(R"(max-age=(\d+))")))
      << cache_control;
  EXPECT_GT(std::stoi(match[1]), 0);
  EXPECT_LE(std::stoi(match[1]), 86400);
  EXPECT_EQ(cache_control.find("no-store"), std::string::npos);

  const Json doc = keys.json();
  ASSERT_EQ(doc.size(), 1u) << doc;  // {"keys": [...]} only
  ASSERT_TRUE(doc.at("keys").is_array());
  ASSERT_FALSE(doc.at("keys").empty());
  const std::set<std::string> public_members{"kty", "use", "alg", "kid", "n", "e"};
  for (const auto& key : doc.at("keys")) {
    for (const auto& [member, value] : key.items()) {
      EXPECT_TRUE(public_members.contains(member)) << "JWKS member " << member << " in " << key;
    }
    for (const char* secret_member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      EXPECT_FALSE(key.contains(secret_member)) << secret_member;
    }
    EXPECT_EQ(key.at("kty"), "RSA");
    EXPECT_EQ(key.at("use"), "sig");
    EXPECT_EQ(key.at("alg"), "RS256");
    EXPECT_TRUE(is_id(key.at("kid"), "snk"));
    EXPECT_EQ(key.at("e"), "AQAB");
    const auto modulus = jose::base64url_decode(key.at("n").get<std::string>());
    ASSERT_TRUE(modulus.has_value());
    EXPECT_GE(modulus->size(), 256u);  // at least 2048 bits
  }
}

TEST_F(DiscoveryTest, HealthAndReadiness) {
  const auto health = request(server->port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.describe();
  EXPECT_EQ(health.json().at("status"), "ok");
  const auto ready = request(server->port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.describe();
  EXPECT_EQ(ready.json().at("status"), "ready");
  // Public endpoints need no token; the management API does.
  EXPECT_EQ(request(server->port(), "GET", "/api/v1/organizations").status, 401);
  // Unknown paths are 404, not 401 or 500.
  EXPECT_EQ(request(server->port(), "GET", "/.well-known/unknown").status, 404);
  EXPECT_EQ(request(server->port(), "GET", "/").status, 404);
}

class JwksMaxAgeTest : public ServerTest {
 protected:
  ServerOptions server_options() override { return {.args = {"--jwks-max-age", "120"}}; }
};

TEST_F(JwksMaxAgeTest, MaxAgeIsConfigurable) {
  const auto keys = request(server->port(), "GET", "/keys");
  ASSERT_EQ(keys.status, 200);
  EXPECT_NE(keys.header("cache-control").find("max-age=120"), std::string::npos)
      << keys.header("cache-control");
}

}  // namespace
}  // namespace tessera::it
