// The seed document's story, end to end: create an organization, register the "GitHub Actions
// Deployment Service" client with the seed's exact curl body, compare the answer with the seed's
// sample response field for field, exchange the plain secret for a token both ways, and check and
// verify that token.
#include <algorithm>
#include <chrono>
#include <regex>
#include <set>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items())
    keys.insert(key);
  return keys;
}

bool is_subset(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SeedStoryTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    organization = api->create_organization("Acme Corp");
    org_id = organization.at("id").get<std::string>();
  }

  // POST of the seed's curl request: same method, path shape, headers and body bytes.
  Response register_seed_client() {
    return api->raw(
        "POST", "/api/v1/organizations/" + org_id + "/clients",
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + api->admin_token()}},
        kSeedClientBody);
  }

  CreatedClient seed_client() {
    const auto response = register_seed_client();
    require_status(response, 201, "register the seed client");
    return {response.json().at("client"), response.json().at("plain_secret").get<std::string>()};
  }

  Json organization;
  std::string org_id;
};

TEST_F(SeedStoryTest, OrganizationHasContractShape) {
  EXPECT_TRUE(is_id(organization.at("id"), "org")) << organization;
  EXPECT_EQ(organization.at("display_name"), "Acme Corp");
  EXPECT_TRUE(is_rfc3339_utc(organization.at("create_time"))) << organization;
  EXPECT_TRUE(is_rfc3339_utc(organization.at("update_time"))) << organization;
  EXPECT_TRUE(organization.at("metadata").is_object());
  EXPECT_FALSE(organization.contains("external_id"));  // not set, not invented
}

TEST_F(SeedStoryTest, RegisterResponseMatchesTheSeedSampleFieldForField) {
  const auto response = register_seed_client();
  ASSERT_EQ(response.status, 201) << response.describe();
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(response.header("cache-control"), "no-store");
  const Json body = response.json();

  // The seed's sample response: {"client": {...}, "plain_secret": "..."}.
  EXPECT_EQ(keys_of(body), (std::set<std::string>{"client", "plain_secret"}));
  const Json& client = body.at("client");
  const std::set<std::string> seed_client_keys{"client_id",   "secrets",         "name",
                                               "description", "organization_id", "create_time",
                                               "update_time", "scopes"};
  // Everything the sample shows, and beyond it only the contract's optional client fields.
  const std::set<std::string> contract_extras{"expiry", "audience", "custom_claims"};
  EXPECT_TRUE(is_subset(seed_client_keys, keys_of(client))) << client;
  for (const auto& key : keys_of(client)) {
    EXPECT_TRUE(seed_client_keys.contains(key) || contract_extras.contains(key))
        << "unexpected client field " << key;
  }

  EXPECT_TRUE(is_id(client.at("client_id"), "m2morg")) << client.at("client_id");
  EXPECT_EQ(client.at("name"), "GitHub Actions Deployment Service");
  EXPECT_EQ(client.at("description"),
            "Service account for GitHub Actions to deploy applications to production");
  EXPECT_EQ(client.at("organization_id"), org_id);
  EXPECT_TRUE(is_id(client.at("organization_id"), "org"));
  EXPECT_TRUE(is_rfc3339_utc(client.at("create_time"))) << client.at("create_time");
  EXPECT_TRUE(is_rfc3339_utc(client.at("update_time"))) << client.at("update_time");
  EXPECT_EQ(client.at("scopes"), Json::parse(R"(["deploy:applications","read:deployments"])"));
  if (client.contains("expiry")) {
    EXPECT_EQ(client.at("expiry"), 3600);
  }

  ASSERT_TRUE(client.at("secrets").is_array());
  ASSERT_EQ(client.at("secrets").size(), 1u);
  const Json& secret = client.at("secrets").at(0);
  const std::set<std::string> seed_secret_keys{
      "id", "create_time", "update_time", "secret_suffix", "status", "last_used_time"};
  EXPECT_TRUE(is_subset(seed_secret_keys, keys_of(secret))) << secret;
  for (const auto& key : keys_of(secret)) {
    EXPECT_TRUE(seed_secret_keys.contains(key) || key == "expire_time")
        << "unexpected secret field " << key;
  }
  EXPECT_TRUE(is_id(secret.at("id"), "sks")) << secret.at("id");
  EXPECT_TRUE(is_rfc3339_utc(secret.at("create_time")));
  EXPECT_TRUE(is_rfc3339_utc(secret.at("update_time")));
  EXPECT_TRUE(is_rfc3339_utc(secret.at("last_used_time")));
  EXPECT_EQ(secret.at("status"), "ACTIVE");

  ASSERT_TRUE(body.at("plain_secret").is_string());
  const std::string plain = body.at("plain_secret").get<std::string>();
  // 256 random bits are at least 43 base64url characters; the alphabet is [A-Za-z0-9_-].
  EXPECT_GE(plain.size(), 43u);
  EXPECT_TRUE(std::regex_match(plain, std::regex("^[A-Za-z0-9_-]+$"))) << plain;
  EXPECT_EQ(secret.at("secret_suffix"), plain.substr(plain.size() - 4));
  // No secret value, and no hash, anywhere in the client object.
  EXPECT_EQ(client.dump().find(plain), std::string::npos);
  EXPECT_EQ(client.dump().find("hash"), std::string::npos);
}

TEST_F(SeedStoryTest, LaterReadsNeverShowTheSecret) {
  const CreatedClient created = seed_client();
  const std::string base = "/api/v1/organizations/" + org_id + "/clients";
  const std::string suffix = created.plain_secret.substr(created.plain_secret.size() - 4);
  for (const std::string& target : {base + "/" + created.id(), base, base + "?page_size=1",
                                    "/api/v1/organizations/" + org_id}) {
    const auto response = api->call("GET", target);
    ASSERT_EQ(response.status, 200) << target << ": " << response.describe();
    EXPECT_EQ(response.body.find(created.plain_secret), std::string::npos) << target;
    EXPECT_EQ(response.body.find(created.plain_secret.substr(0, 20)), std::string::npos) << target;
    EXPECT_EQ(response.body.find("plain_secret"), std::string::npos) << target;
  }
  const Json got = api->call("GET", base + "/" + created.id()).json().at("client");
  EXPECT_EQ(got.at("client_id"), created.id());
  ASSERT_EQ(got.at("secrets").size(), 1u);
  EXPECT_EQ(got.at("secrets").at(0).at("id"), created.client.at("secrets").at(0).at("id"));
  EXPECT_EQ(got.at("secrets").at(0).at("secret_suffix"), suffix);
  EXPECT_EQ(got.at("scopes"), created.client.at("scopes"));
  const Json listed = api->call("GET", base).json();
  ASSERT_EQ(listed.at("clients").size(), 1u);
  EXPECT_EQ(listed.at("clients").at(0).at("client_id"), created.id());
}

TEST_F(SeedStoryTest, ClientSecretPostTokenHasTheContractClaimsAndVerifies) {
  const CreatedClient created = seed_client();
  const auto before = unix_now();
  const auto response = api->token_post(created.id(), created.plain_secret);
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(response.header("cache-control"), "no-store");
  EXPECT_EQ(response.header("pragma"), "no-cache");
  EXPECT_EQ(response.header("content-type"), "application/json");
  const Json body = response.json();
  EXPECT_EQ(keys_of(body),
            (std::set<std::string>{"access_token", "token_type", "expires_in", "scope"}));
  EXPECT_EQ(body.at("token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in"), 3600);
  EXPECT_EQ(body.at("scope"), "deploy:applications read:deployments");

  const std::string token = body.at("access_token").get<std::string>();
  const Jwt jwt = decode_jwt(token);
  EXPECT_EQ(jwt.header.at("alg"), "RS256");
  EXPECT_EQ(jwt.header.at("typ"), "at+jwt");
  EXPECT_TRUE(is_id(jwt.header.at("kid"), "snk")) << jwt.header;

  const Json& claims = jwt.claims;
  EXPECT_EQ(claims.at("iss"), server->url());
  EXPECT_EQ(claims.at("sub"), created.id());
  EXPECT_EQ(claims.at("client_id"), created.id());
  EXPECT_EQ(claims.at("oid"), org_id);
  EXPECT_EQ(claims.at("scopes"), Json::parse(R"(["deploy:applications","read:deployments"])"));
  EXPECT_EQ(claims.at("scope"), "deploy:applications read:deployments");
  ASSERT_TRUE(claims.at("iat").is_number_integer());
  ASSERT_TRUE(claims.at("exp").is_number_integer());
  EXPECT_EQ(claims.at("nbf"), claims.at("iat"));
  EXPECT_EQ(claims.at("exp").get<std::int64_t>(), claims.at("iat").get<std::int64_t>() + 3600);
  EXPECT_GE(claims.at("iat").get<std::int64_t>(), before - 5);
  EXPECT_LE(claims.at("iat").get<std::int64_t>(), unix_now() + 5);
  EXPECT_TRUE(is_id(claims.at("jti"), "tkn")) << claims.at("jti");
  EXPECT_FALSE(claims.contains("aud"));  // the seed client has no audience
  EXPECT_FALSE(claims.contains("custom_claims"));

  // The kid is one of the published keys.
  const Json jwks = request(server->port(), "GET", "/keys").json();
  bool published = false;
  for (const auto& key : jwks.at("keys"))
    published |= key.at("kid") == jwt.header.at("kid");
  EXPECT_TRUE(published) << jwks;

  // The SDK verifies it against the server's JWKS.
  const auto verifier = make_verifier(server->url());
  const auto verified = verifier.verify(token);
  ASSERT_TRUE(verified.ok()) << verify::to_string(verified.error());
  EXPECT_EQ(verified->sub, created.id());
  EXPECT_EQ(verified->client_id, created.id());
  EXPECT_EQ(verified->oid, org_id);
  EXPECT_EQ(verified->scopes,
            (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  EXPECT_EQ(verified->jti, claims.at("jti").get<std::string>());

  // A second token is a different token.
  const Jwt second = decode_jwt(api->access_token(created.id(), created.plain_secret));
  EXPECT_NE(second.claims.at("jti"), claims.at("jti"));
}

TEST_F(SeedStoryTest, ClientSecretBasicTokenVerifies) {
  const CreatedClient created = seed_client();
  const auto response = api->token_basic(created.id(), created.plain_secret);
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(response.header("cache-control"), "no-store");
  EXPECT_EQ(response.header("pragma"), "no-cache");
  const Json body = response.json();
  EXPECT_EQ(body.at("token_type"), "Bearer");
  const std::string token = body.at("access_token").get<std::string>();
  const Jwt jwt = decode_jwt(token);
  EXPECT_EQ(jwt.claims.at("sub"), created.id());
  EXPECT_EQ(jwt.claims.at("oid"), org_id);
  const auto verified = make_verifier(server->url()).verify(token);
  ASSERT_TRUE(verified.ok()) << verify::to_string(verified.error());
  EXPECT_EQ(verified->client_id, created.id());

  // Basic credentials must be exact: a truncated secret fails.
  const auto wrong = api->token_basic(
      created.id(), created.plain_secret.substr(0, created.plain_secret.size() - 1));
  EXPECT_EQ(wrong.status, 401) << wrong.describe();
}

TEST_F(SeedStoryTest, SdkRejectsTheTokenForAnotherIssuer) {
  const CreatedClient created = seed_client();
  const std::string token = api->access_token(created.id(), created.plain_secret);
  // Same keys, other expected issuer (trailing slash): exact comparison must refuse it.
  auto cache = verify::JwksCache::create({.uri = server->url() + "/keys", .allow_http = true});
  ASSERT_TRUE(cache.ok());
  auto verifier = verify::Verifier::create({.issuer = server->url() + "/", .key_source = *cache});
  ASSERT_TRUE(verifier.ok());
  const auto result = verifier->verify(token);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), verify::VerifyError::issuer_mismatch);
}

}  // namespace
}  // namespace tessera::it
