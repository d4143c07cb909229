// POST /oauth/token: scope down-scoping, per-client lifetime, audience and custom claims, every
// RFC 6749 error path, and identical answers for every kind of bad credential.
#include <algorithm>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

// Checks an RFC 6749 §5.2 error response.
void expect_oauth_error(const Response& response, int status, std::string_view error) {
  EXPECT_EQ(response.status, status) << response.describe();
  EXPECT_EQ(response.header("content-type"), "application/json") << response.describe();
  EXPECT_EQ(response.header("cache-control"), "no-store") << response.describe();
  EXPECT_EQ(response.header("pragma"), "no-cache") << response.describe();
  Json body;
  ASSERT_NO_THROW(body = response.json());
  EXPECT_EQ(body.value("error", ""), error) << response.describe();
  EXPECT_TRUE(body.contains("error_description") && body.at("error_description").is_string())
      << response.describe();
  EXPECT_FALSE(body.contains("access_token"));
}

// Headers that may legitimately differ between two responses.
Headers comparable_headers(const Response& response) {
  Headers out;
  for (const auto& header : response.headers) {
    if (header.first != "date") out.push_back(header);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class TokenEndpointTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    seed = api->create_client_raw(org_id, kSeedClientBody);
  }

  Json claims_of(const Response& response) {
    require_status(response, 200, "token request");
    return decode_jwt(response.json().at("access_token").get<std::string>()).claims;
  }

  std::string org_id;
  CreatedClient seed;
};

TEST_F(TokenEndpointTest, RequestedScopeNarrowsTheGrant) {
  const auto response = api->token_post(seed.id(), seed.plain_secret, "read:deployments");
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(response.json().at("scope"), "read:deployments");
  const Json claims = claims_of(response);
  EXPECT_EQ(claims.at("scopes"), Json::array({"read:deployments"}));
  EXPECT_EQ(claims.at("scope"), "read:deployments");

  // Both, in either order: the registered scopes.
  const Json both = claims_of(
      api->token_basic(seed.id(), seed.plain_secret, "read:deployments deploy:applications"));
  EXPECT_EQ(both.at("scopes"), Json::array({"deploy:applications", "read:deployments"}));
}

TEST_F(TokenEndpointTest, EmptyScopeGrantsEveryRegisteredScope) {
  const Json claims = claims_of(api->token_post(seed.id(), seed.plain_secret, ""));
  EXPECT_EQ(claims.at("scopes"), Json::array({"deploy:applications", "read:deployments"}));
  EXPECT_EQ(claims.at("scope"), "deploy:applications read:deployments");
}

TEST_F(TokenEndpointTest, UnregisteredScopeIsInvalidScope) {
  for (const char* scope : {"admin:all", "read:deployments admin:all", "Read:Deployments",
                            "read:deployment", "tessera:management"}) {
    SCOPED_TRACE(scope);
    expect_oauth_error(api->token_post(seed.id(), seed.plain_secret, scope), 400, "invalid_scope");
  }
  expect_oauth_error(api->token_basic(seed.id(), seed.plain_secret, "admin:all"), 400,
                     "invalid_scope");
}

TEST_F(TokenEndpointTest, LifetimeIsPerClient) {
  const CreatedClient short_lived =
      api->create_client(org_id, Json{{"name", "short"}, {"scopes", {"a"}}, {"expiry", 300}});
  const CreatedClient long_lived =
      api->create_client(org_id, Json{{"name", "long"}, {"scopes", {"a"}}, {"expiry", 86400}});
  const CreatedClient defaulted = api->create_client(org_id, Json{{"name", "default"}});
  EXPECT_EQ(defaulted.client.at("expiry"), 3600);

  const std::vector<std::pair<const CreatedClient*, int>> cases{
      {&short_lived, 300}, {&long_lived, 86400}, {&defaulted, 3600}, {&seed, 3600}};
  for (const auto& [client, lifetime] : cases) {
    const auto response = api->token_post(client->id(), client->plain_secret);
    ASSERT_EQ(response.status, 200) << response.describe();
    EXPECT_EQ(response.json().at("expires_in"), lifetime);
    const Json claims = claims_of(response);
    EXPECT_EQ(claims.at("exp").get<std::int64_t>() - claims.at("iat").get<std::int64_t>(),
              lifetime);
  }
}

TEST_F(TokenEndpointTest, AudienceAndCustomClaimsAppearWhenSet) {
  const CreatedClient client = api->create_client(
      org_id, Json{{"name", "billing exporter"},
                   {"scopes", {"read:invoices"}},
                   {"audience", {"https://api.example.com", "billing"}},
                   {"custom_claims",
                    {{{"key", "tier"}, {"value", "gold"}}, {{"key", "region"}, {"value", "eu"}}}}});
  EXPECT_EQ(client.client.at("audience"), Json::array({"https://api.example.com", "billing"}));
  EXPECT_EQ(client.client.at("custom_claims").size(), 2u);

  const auto response = api->token_post(client.id(), client.plain_secret);
  const Json claims = claims_of(response);
  EXPECT_EQ(claims.at("aud"), Json::array({"https://api.example.com", "billing"}));
  EXPECT_EQ(claims.at("custom_claims"), (Json{{"tier", "gold"}, {"region", "eu"}}));

  // The SDK checks the audience when told to.
  const std::string token = response.json().at("access_token").get<std::string>();
  auto cache = verify::JwksCache::create({.uri = server->url() + "/keys", .allow_http = true});
  ASSERT_TRUE(cache.ok());
  auto billing = verify::Verifier::create(
      {.issuer = server->url(), .audiences = {"billing"}, .key_source = *cache});
  ASSERT_TRUE(billing.ok());
  const auto verified = billing->verify(token);
  ASSERT_TRUE(verified.ok()) << verify::to_string(verified.error());
  EXPECT_EQ(verified->aud, (std::vector<std::string>{"https://api.example.com", "billing"}));
  EXPECT_EQ(verified->custom_claims.at("tier"), "gold");
  auto other = verify::Verifier::create(
      {.issuer = server->url(), .audiences = {"shipping"}, .key_source = *cache});
  ASSERT_TRUE(other.ok());
  ASSERT_FALSE(other->verify(token).ok());
  EXPECT_EQ(other->verify(token).error(), verify::VerifyError::audience_mismatch);

  // The seed client has neither.
  const Json plain = claims_of(api->token_post(seed.id(), seed.plain_secret));
  EXPECT_FALSE(plain.contains("aud"));
  EXPECT_FALSE(plain.contains("custom_claims"));
}

TEST_F(TokenEndpointTest, MissingGrantTypeIsInvalidRequest) {
  expect_oauth_error(
      api->token_form("client_id=" + seed.id() + "&client_secret=" + seed.plain_secret), 400,
      "invalid_request");
  expect_oauth_error(api->token_form(""), 400, "invalid_request");
}

TEST_F(TokenEndpointTest, OtherGrantTypesAreUnsupported) {
  for (const char* grant : {"password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS",
                            "urn:ietf:params:oauth:grant-type:jwt-bearer"}) {
    SCOPED_TRACE(grant);
    expect_oauth_error(api->token_form("grant_type=" + form_encode(grant) + "&client_id=" +
                                       seed.id() + "&client_secret=" + seed.plain_secret),
                       400, "unsupported_grant_type");
  }
}

TEST_F(TokenEndpointTest, DuplicatedParameterIsInvalidRequest) {
  const std::string credentials = "&client_id=" + seed.id() + "&client_secret=" + seed.plain_secret;
  for (const std::string& form :
       {"grant_type=client_credentials&grant_type=client_credentials" + credentials,
        "grant_type=client_credentials" + credentials + "&client_id=" + seed.id(),
        "grant_type=client_credentials" + credentials + "&client_secret=" + seed.plain_secret,
        "grant_type=client_credentials&scope=a&scope=b" + credentials}) {
    SCOPED_TRACE(form);
    expect_oauth_error(api->token_form(form), 400, "invalid_request");
  }
}

TEST_F(TokenEndpointTest, OnlyFormEncodedBodiesAreAccepted) {
  const std::string form = "grant_type=client_credentials&client_id=" + seed.id() +
                           "&client_secret=" + seed.plain_secret;
  for (const char* type : {"application/json", "text/plain", "multipart/form-data; boundary=x"}) {
    SCOPED_TRACE(type);
    expect_oauth_error(
        request(server->port(), "POST", "/oauth/token", {{"Content-Type", type}}, form), 400,
        "invalid_request");
  }
  expect_oauth_error(request(server->port(), "POST", "/oauth/token", {}, form), 400,
                     "invalid_request");
  const Json json_body = {{"grant_type", "client_credentials"},
                          {"client_id", seed.id()},
                          {"client_secret", seed.plain_secret}};
  expect_oauth_error(request(server->port(), "POST", "/oauth/token",
                             {{"Content-Type", "application/json"}}, json_body.dump()),
                     400, "invalid_request");
  // A charset parameter is fine.
  EXPECT_EQ(request(server->port(), "POST", "/oauth/token",
                    {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}}, form)
                .status,
            200);
}

TEST_F(TokenEndpointTest, CredentialsInTheQueryStringAreRefused) {
  const std::string query = "client_id=" + seed.id() + "&client_secret=" + seed.plain_secret;
  const Headers form_type{{"Content-Type", "application/x-www-form-urlencoded"}};
  expect_oauth_error(request(server->port(), "POST", "/oauth/token?" + query, form_type,
                             "grant_type=client_credentials"),
                     400, "invalid_request");
  expect_oauth_error(request(server->port(), "POST",
                             "/oauth/token?grant_type=client_credentials&" + query, form_type, ""),
                     400, "invalid_request");
  // Even when the body carries valid credentials too.
  expect_oauth_error(request(server->port(), "POST", "/oauth/token?" + query, form_type,
                             "grant_type=client_credentials&" + query),
                     400, "invalid_request");
}

TEST_F(TokenEndpointTest, BasicAndBodySecretTogetherIsInvalidRequest) {
  const auto response = api->token_form(
      "grant_type=client_credentials&client_secret=" + form_encode(seed.plain_secret),
      {{"Authorization", basic_auth(seed.id(), seed.plain_secret)}});
  expect_oauth_error(response, 400, "invalid_request");
  // A body client_id naming another client than the Basic credentials is refused as well.
  expect_oauth_error(api->token_form("grant_type=client_credentials&client_id=m2morg_1234567",
                                     {{"Authorization", basic_auth(seed.id(), seed.plain_secret)}}),
                     400, "invalid_request");
  // The same client_id in the body is harmless.
  EXPECT_EQ(api->token_form("grant_type=client_credentials&client_id=" + seed.id(),
                            {{"Authorization", basic_auth(seed.id(), seed.plain_secret)}})
                .status,
            200);
}

TEST_F(TokenEndpointTest, MalformedBasicCredentialsAreInvalidRequest) {
  for (const char* value :
       {"Basic !!!not-base64!!!", "Basic bm9jb2xvbg==" /* "nocolon" */, "Basic "}) {
    SCOPED_TRACE(value);
    const auto response =
        api->token_form("grant_type=client_credentials", {{"Authorization", value}});
    EXPECT_EQ(response.status, 400) << response.describe();
    EXPECT_EQ(response.header("cache-control"), "no-store");
  }
}

TEST_F(TokenEndpointTest, OnlyPostIsAllowed) {
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    SCOPED_TRACE(method);
    const auto response =
        request(server->port(), method,
                "/oauth/token?grant_type=client_credentials&client_id=" + seed.id() +
                    "&client_secret=" + seed.plain_secret);
    EXPECT_EQ(response.status, 405) << response.describe();
    EXPECT_EQ(response.header("allow"), "POST");
    EXPECT_EQ(response.body.find("access_token"), std::string::npos);
  }
}

TEST_F(TokenEndpointTest, EveryBadCredentialGetsTheIdenticalAnswer) {
  // A client with a deleted secret, a deleted client, and a client of a deleted organization.
  const Json second = api->add_secret(org_id, seed.id());
  const std::string second_secret = second.at("plain_secret").get<std::string>();
  const std::string first_secret_id = seed.client.at("secrets").at(0).at("id").get<std::string>();
  ASSERT_EQ(api->token_post(seed.id(), seed.plain_secret).status, 200);  // warm the cache
  require_status(api->call("DELETE", "/api/v1/organizations/" + org_id + "/clients/" + seed.id() +
                                         "/secrets/" + first_secret_id),
                 200, "delete secret");

  const CreatedClient gone = api->create_client(org_id, Json{{"name", "gone"}});
  ASSERT_EQ(api->token_post(gone.id(), gone.plain_secret).status, 200);
  require_status(api->call("DELETE", "/api/v1/organizations/" + org_id + "/clients/" + gone.id()),
                 200, "delete client");

  const std::string other_org = api->create_organization("Doomed Inc").at("id").get<std::string>();
  const CreatedClient orphan = api->create_client(other_org, Json{{"name", "orphan"}});
  ASSERT_EQ(api->token_post(orphan.id(), orphan.plain_secret).status, 200);
  require_status(api->call("DELETE", "/api/v1/organizations/" + other_org), 200, "delete org");

  const CreatedClient other = api->create_client(org_id, Json{{"name", "other"}});
  std::string wrong_secret = second_secret;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';

  struct Case {
    const char* what;
    std::string id;
    std::string secret;
  };
  const std::vector<Case> cases{
      {"unknown client", "m2morg_1000000000000001", second_secret},
      {"not an id", "nobody", second_secret},
      {"empty secret", seed.id(), ""},
      {"wrong secret", seed.id(), wrong_secret},
      {"another client's live secret", seed.id(), other.plain_secret},
      {"deleted secret", seed.id(), seed.plain_secret},
      {"deleted client", gone.id(), gone.plain_secret},
      {"deleted organization", orphan.id(), orphan.plain_secret},
      {"environment client, wrong secret", api->admin_id(), second_secret},
  };
  // The live secret still works, so the failures below are about the credentials alone.
  ASSERT_EQ(api->token_post(seed.id(), second_secret).status, 200);

  for (const bool basic : {false, true}) {
    std::optional<Response> reference;
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(c.what) + (basic ? " (Basic)" : " (post)"));
      const Response response =
          basic ? api->token_basic(c.id, c.secret) : api->token_post(c.id, c.secret);
      expect_oauth_error(response, 401, "invalid_client");
      EXPECT_EQ(response.header("www-authenticate"), basic ? "Basic realm=\"tessera\"" : "");
      if (!reference) {
        reference = response;
        continue;
      }
      EXPECT_EQ(response.status, reference->status);
      EXPECT_EQ(response.reason, reference->reason);
      EXPECT_EQ(response.body, reference->body);
      EXPECT_EQ(comparable_headers(response), comparable_headers(*reference));
    }
  }
}

// A secret authenticates only while ACTIVE and before its expire_time. The API never sets either
// (it deletes secrets and gives them no expiry), so the test writes them into the stopped server's
// database, the way an operator's script or a later API could.
TEST_F(TokenEndpointTest, OnlyActiveUnexpiredSecretsAuthenticate) {
  const auto secret_row = [](const CreatedClient& client) {
    const auto id = client.client.at("secrets").at(0).at("id").get<std::string>();
    return id.substr(id.find('_') + 1);
  };
  const CreatedClient inactive = api->create_client(org_id, Json{{"name", "inactive"}});
  const CreatedClient expired = api->create_client(org_id, Json{{"name", "expired"}});
  const CreatedClient expiring = api->create_client(org_id, Json{{"name", "expiring"}});
  ASSERT_EQ(server->stop(), 0);
  // expire_time is in microseconds since the epoch: 1970 and 2286.
  server->write_database("UPDATE secrets SET status = 'INACTIVE' WHERE id = " +
                         secret_row(inactive));
  server->write_database("UPDATE secrets SET expire_time = 1000000 WHERE id = " +
                         secret_row(expired));
  server->write_database("UPDATE secrets SET expire_time = 9999999999000000 WHERE id = " +
                         secret_row(expiring));
  server->start();
  api->set_admin(api->admin_id(), api->admin_secret());

  expect_oauth_error(api->token_post(inactive.id(), inactive.plain_secret), 401, "invalid_client");
  expect_oauth_error(api->token_post(expired.id(), expired.plain_secret), 401, "invalid_client");
  EXPECT_EQ(api->token_post(expiring.id(), expiring.plain_secret).status, 200);
  EXPECT_EQ(api->token_post(seed.id(), seed.plain_secret).status, 200);  // the control
}

// Configured admin credentials whose secret needs form-url-encoding in Basic (RFC 6749 §2.3.1).
class SpecialSecretTest : public ServerTest {
 protected:
  static constexpr std::string_view kId = "skc_4242424242424242";
  static constexpr std::string_view kSecret = "p+s w%rd:&=?/é-0123456789abcdefghijklmnop";

  ServerOptions server_options() override {
    return {.env = {{"TESSERA_ADMIN_CLIENT_ID", std::string(kId)},
                    {"TESSERA_ADMIN_CLIENT_SECRET", std::string(kSecret)}}};
  }
};

TEST_F(SpecialSecretTest, BasicCredentialsAreFormUrlDecoded) {
  // Properly encoded halves authenticate.
  const auto encoded = api->token_basic(kId, kSecret);
  ASSERT_EQ(encoded.status, 200) << encoded.describe();
  EXPECT_EQ(decode_jwt(encoded.json().at("access_token").get<std::string>()).claims.at("sub"), kId);
  // The raw secret is not the same credential once decoded ("+" is a space, "%rd" is invalid).
  const auto raw = api->token_form(
      "grant_type=client_credentials",
      {{"Authorization", "Basic " + base64(std::string(kId) + ":" + std::string(kSecret))}});
  EXPECT_NE(raw.status, 200) << raw.describe();
  // client_secret_post with the same value, form-encoded, works too.
  EXPECT_EQ(api->token_post(kId, kSecret).status, 200);
  // A colon in the secret is fine: Basic splits on the first colon only (the id has none).
  EXPECT_NE(std::string_view(kSecret).find(':'), std::string_view::npos);
}

}  // namespace
}  // namespace tessera::it
