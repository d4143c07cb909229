// Every error path of the management API (api-contract.md §5): 401, 400 with field violations,
// malformed bodies, 413, 415, 404, 405 and 409, in the google.rpc.Status shape.
#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

const char* rpc_name(int code) {
  switch (code) {
    case 3:
      return "INVALID_ARGUMENT";
    case 5:
      return "NOT_FOUND";
    case 6:
      return "ALREADY_EXISTS";
    case 9:
      return "FAILED_PRECONDITION";
    case 16:
      return "UNAUTHENTICATED";
  }
  return "?";
}

// Checks the google.rpc.Status shape with the contract's status <-> code pairing.
void expect_api_error(const Response& response, int status, int code) {
  EXPECT_EQ(response.status, status) << response.describe();
  EXPECT_EQ(response.header("content-type"), "application/json") << response.describe();
  Json body;
  ASSERT_NO_THROW(body = response.json());
  EXPECT_EQ(body.value("code", -1), code) << response.describe();
  EXPECT_TRUE(body.contains("message") && body.at("message").is_string() &&
              !body.at("message").get<std::string>().empty())
      << response.describe();
  ASSERT_TRUE(body.contains("details") && body.at("details").is_array() &&
              !body.at("details").empty())
      << response.describe();
  const Json& info = body.at("details").at(0);
  EXPECT_EQ(info.value("@type", ""), "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo");
  EXPECT_EQ(info.value("error_code", ""), rpc_name(code)) << response.describe();
}

// 400 INVALID_ARGUMENT naming `field` in field_violations.
void expect_violation(const Response& response, std::string_view field) {
  expect_api_error(response, 400, 3);
  const Json body = response.json();
  const Json violations = body.at("details")
                              .at(0)
                              .value("validation_error_info", Json::object())
                              .value("field_violations", Json::array());
  bool named = false;
  for (const auto& v : violations) {
    EXPECT_TRUE(v.at("description").is_string() && !v.at("description").get<std::string>().empty());
    named |= v.at("field") == field;
  }
  EXPECT_TRUE(named) << "no violation for " << field << " in " << response.describe();
}

class ManagementErrorsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    clients_path = "/api/v1/organizations/" + org_id + "/clients";
  }

  Response create_client(const Json& body) { return api->call("POST", clients_path, body); }
  Response post_raw(const std::string& target, std::string_view body,
                    std::string_view type = "application/json") {
    return api->raw(
        "POST", target,
        {{"Content-Type", std::string(type)}, {"Authorization", "Bearer " + api->admin_token()}},
        body);
  }
  std::size_t client_count() {
    return api->call("GET", clients_path).json().at("total_size").get<std::size_t>();
  }

  std::string org_id;
  std::string clients_path;
};

TEST_F(ManagementErrorsTest, EveryRouteNeedsAManagementToken) {
  const CreatedClient client = api->create_client_raw(org_id, kSeedClientBody);
  const std::string client_path = clients_path + "/" + client.id();
  // An API client's token (m2morg_): valid, signed by this server, but never a management token.
  const std::string api_client_token = api->access_token(client.id(), client.plain_secret);
  std::string tampered = api->admin_token();
  tampered[tampered.rfind('.') + 5] = tampered[tampered.rfind('.') + 5] == 'A' ? 'B' : 'A';

  const std::vector<std::pair<const char*, std::string>> routes{
      {"GET", "/api/v1/organizations"},
      {"POST", "/api/v1/organizations"},
      {"GET", "/api/v1/organizations/" + org_id},
      {"PATCH", "/api/v1/organizations/" + org_id},
      {"DELETE", "/api/v1/organizations/" + org_id},
      {"GET", clients_path},
      {"POST", clients_path},
      {"GET", client_path},
      {"PATCH", client_path},
      {"DELETE", client_path},
      {"POST", client_path + "/secrets"},
      {"DELETE",
       client_path + "/secrets/" + client.client.at("secrets").at(0).at("id").get<std::string>()},
      {"GET", "/api/v1/keys"},
      {"POST", "/api/v1/keys:rotate"},
  };
  const std::vector<std::pair<const char*, std::optional<std::string>>> credentials{
      {"no Authorization", std::nullopt},
      {"garbage bearer", "Bearer not-a-token"},
      {"empty bearer", "Bearer "},
      {"API client token", "Bearer " + api_client_token},
      {"tampered admin token", "Bearer " + tampered},
      {"admin secret as token", "Bearer " + api->admin_secret()},
      {"Basic admin credentials", basic_auth(api->admin_id(), api->admin_secret())},
      {"lower-case scheme with garbage", "bearer x.y.z"},
  };
  for (const auto& [method, target] : routes) {
    for (const auto& [what, authorization] : credentials) {
      SCOPED_TRACE(std::string(method) + " " + target + " with " + what);
      Headers headers{{"Content-Type", "application/json"}};
      if (authorization) headers.emplace_back("Authorization", *authorization);
      const std::string body = std::string(method) == "POST" || std::string(method) == "PATCH"
                                   ? R"({"display_name":"x","name":"x"})"
                                   : "";
      const auto response = api->raw(method, target, headers, body);
      expect_api_error(response, 401, 16);
      EXPECT_TRUE(response.header("www-authenticate").starts_with("Bearer"))
          << response.header("www-authenticate");
    }
  }
  // Nothing was changed by any of those.
  const auto listed = api->call("GET", "/api/v1/organizations");
  EXPECT_EQ(listed.json().at("total_size"), 1);
  EXPECT_EQ(api->call("GET", client_path).json().at("client").at("secrets").size(), 1u);
  EXPECT_EQ(api->token_post(client.id(), client.plain_secret).status, 200);
  EXPECT_EQ(api->call("GET", "/api/v1/keys").json().at("keys").size(), 1u);
}

TEST_F(ManagementErrorsTest, ApiClientTokenIsNeverAManagementToken) {
  // Even a client whose scopes and name look administrative.
  const CreatedClient client = api->create_client(
      org_id, Json{{"name", "admin"}, {"scopes", {"admin", "management", "organizations:write"}}});
  const std::string token = api->access_token(client.id(), client.plain_secret);
  const auto response = api->call_as(token, "GET", "/api/v1/organizations");
  expect_api_error(response, 401, 16);
  EXPECT_NE(response.header("www-authenticate").find("invalid_token"), std::string::npos);
}

TEST_F(ManagementErrorsTest, ClientNameAndDescriptionLimits) {
  EXPECT_EQ(create_client({{"name", std::string(128, 'n')}}).status, 201);
  expect_violation(create_client({{"name", std::string(129, 'n')}}), "name");
  // Characters, not bytes: 128 two-byte characters are fine.
  std::string wide;
  for (int i = 0; i < 128; ++i)
    wide += "é";
  EXPECT_EQ(create_client({{"name", wide}}).status, 201);
  expect_violation(create_client({{"name", wide + "é"}}), "name");
  expect_violation(create_client({{"description", "no name"}}), "name");
  expect_violation(create_client({{"name", "   "}}), "name");
  expect_violation(create_client({{"name", "tab\tname"}}), "name");
  expect_violation(create_client({{"name", "x"}, {"description", std::string(513, 'd')}}),
                   "description");
  EXPECT_EQ(create_client({{"name", "x"}, {"description", std::string(512, 'd')}}).status, 201);
}

TEST_F(ManagementErrorsTest, ExpiryLimits) {
  expect_violation(create_client({{"name", "x"}, {"expiry", 299}}), "expiry");
  expect_violation(create_client({{"name", "x"}, {"expiry", -3600}}), "expiry");
  expect_violation(create_client({{"name", "x"}, {"expiry", 86401}}), "expiry");  // above the max
  EXPECT_EQ(create_client({{"name", "x"}, {"expiry", 300}}).status, 201);
  EXPECT_EQ(create_client({{"name", "x"}, {"expiry", "600"}}).status, 201);  // proto3 int64 string
  const CreatedClient client = api->create_client(org_id, Json{{"name", "patch me"}});
  expect_violation(api->call("PATCH", clients_path + "/" + client.id(), Json{{"expiry", 120}}),
                   "expiry");
}

TEST_F(ManagementErrorsTest, ScopeAndAudienceRules) {
  expect_violation(create_client({{"name", "x"}, {"scopes", {"has space"}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {"ok", "quo\"te"}}}), "scopes[1]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {"back\\slash"}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {""}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {"naïve"}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {"a", "a"}}}), "scopes[1]");
  // The reserved namespace, in any case, for scopes and audiences.
  expect_violation(create_client({{"name", "x"}, {"scopes", {"tessera:management"}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"scopes", {"TESSERA:admin"}}}), "scopes[0]");
  expect_violation(create_client({{"name", "x"}, {"audience", {"tessera:management"}}}),
                   "audience[0]");
  expect_violation(create_client({{"name", "x"}, {"audience", {"api", "Tessera:x"}}}),
                   "audience[1]");
  expect_violation(create_client({{"name", "x"}, {"audience", {" padded"}}}), "audience[0]");
  // custom_claims: duplicate keys.
  expect_violation(
      create_client(
          {{"name", "x"},
           {"custom_claims", {{{"key", "k"}, {"value", "1"}}, {{"key", "k"}, {"value", "2"}}}}}),
      "custom_claims[1].key");
  // PATCH applies the same rules.
  const CreatedClient client = api->create_client(org_id, Json{{"name", "patch me"}});
  expect_violation(
      api->call("PATCH", clients_path + "/" + client.id(), Json{{"scopes", {"tessera:x"}}}),
      "scopes[0]");
  expect_violation(
      api->call("PATCH", clients_path + "/" + client.id(), Json{{"audience", {"tessera:x"}}}),
      "audience[0]");
  EXPECT_EQ(client_count(), 1u);
}

TEST_F(ManagementErrorsTest, OrganizationFieldLimits) {
  const std::string orgs = "/api/v1/organizations";
  EXPECT_EQ(api->call("POST", orgs, Json{{"display_name", std::string(200, 'o')}}).status, 201);
  expect_violation(api->call("POST", orgs, Json{{"display_name", std::string(201, 'o')}}),
                   "display_name");
  expect_violation(api->call("POST", orgs, Json::object()), "display_name");
  expect_violation(api->call("POST", orgs, Json{{"display_name", "  "}}), "display_name");
  expect_violation(
      api->call("PATCH", orgs + "/" + org_id, Json{{"display_name", std::string(201, 'o')}}),
      "display_name");

  Json eleven = Json::object();
  for (int i = 0; i < 11; ++i)
    eleven["key" + std::to_string(i)] = "v";
  Json ten = eleven;
  ten.erase("key10");
  EXPECT_EQ(api->call("POST", orgs, Json{{"display_name", "ten"}, {"metadata", ten}}).status, 201);
  expect_violation(api->call("POST", orgs, Json{{"display_name", "x"}, {"metadata", eleven}}),
                   "metadata");
  expect_violation(
      api->call("POST", orgs, Json{{"display_name", "x"}, {"metadata", {{"ab", "v"}}}}),
      "metadata");  // key below 3 characters
  expect_violation(
      api->call("POST", orgs,
                Json{{"display_name", "x"}, {"metadata", {{std::string(26, 'k'), "v"}}}}),
      "metadata");
  expect_violation(
      api->call("POST", orgs,
                Json{{"display_name", "x"}, {"metadata", {{"key", std::string(257, 'v')}}}}),
      "metadata");
  expect_violation(
      api->call("POST", orgs, Json{{"display_name", "x"}, {"metadata", {{"key", ""}}}}),
      "metadata");
  expect_violation(api->call("POST", orgs, Json{{"display_name", "x"}, {"metadata", {{"key", 5}}}}),
                   "metadata");
  EXPECT_EQ(api->call("GET", orgs).json().at("total_size"), 3);
}

TEST_F(ManagementErrorsTest, MalformedBodiesAre400) {
  const std::vector<std::pair<const char*, std::string>> bodies{
      {"truncated", R"({"name": "x")"},
      {"not an object", R"(["name", "x"])"},
      {"a string", R"("name")"},
      {"trailing garbage", R"({"name": "x"} {})"},
      {"duplicate member", R"({"name": "a", "name": "b"})"},
      {"non-UTF-8", "{\"name\": \"\xff\xfe\"}"},
      {"overlong UTF-8", "{\"name\": \"\xc0\xaf\"}"},
      {"NUL byte", std::string("{\"name\": \"a\0b\"}", 15)},
      {"single quotes", "{'name': 'x'}"},
      {"too deep", std::string(50, '[') + std::string(50, ']')},
  };
  for (const auto& [what, body] : bodies) {
    SCOPED_TRACE(what);
    expect_api_error(post_raw(clients_path, body), 400, 3);
  }
  // Wrong types of known fields name the field.
  expect_violation(create_client({{"name", 5}}), "name");
  expect_violation(create_client({{"name", "x"}, {"scopes", "read"}}), "scopes");
  expect_violation(create_client({{"name", "x"}, {"scopes", {1, 2}}}), "scopes");
  expect_violation(create_client({{"name", "x"}, {"expiry", "soon"}}), "expiry");
  expect_violation(create_client({{"name", "x"}, {"expiry", 1.5}}), "expiry");
  expect_violation(create_client({{"name", "x"}, {"expiry", 1e300}}), "expiry");
  expect_violation(create_client({{"name", "x"}, {"audience", {{"a", 1}}}}), "audience");
  expect_violation(create_client({{"name", "x"}, {"custom_claims", {{"k", "v"}}}}),
                   "custom_claims");
  expect_violation(api->call("POST", "/api/v1/organizations", Json{{"display_name", true}}),
                   "display_name");
  // Unknown fields are ignored.
  EXPECT_EQ(create_client({{"name", "x"}, {"unknown", {{"deeply", {1, 2, 3}}}}}).status, 201);
  EXPECT_EQ(client_count(), 1u);
}

TEST_F(ManagementErrorsTest, OversizedBodyIs413) {
  // Bigger than the management API's 64 KiB limit, announced by Content-Length.
  const std::string body =
      R"({"display_name":"x","padding":")" + std::string(70 * 1024, 'p') + "\"}";
  // Only the first KiB of the body is sent: the announced length alone must be refused (and the
  // server closing with unread bytes would reset the connection before we read the answer).
  Connection connection(server->port());
  const std::string head =
      "POST /api/v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nAuthorization: Bearer " +
      api->admin_token() + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  connection.send(head + body.substr(0, 1024));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  expect_api_error(*response, 413, 3);
  EXPECT_EQ(api->call("GET", "/api/v1/organizations").json().at("total_size"), 1);
  // Just below the limit is fine (unknown fields are ignored).
  const std::string fits =
      R"({"display_name":"x","padding":")" + std::string(60 * 1024, 'p') + "\"}";
  EXPECT_EQ(post_raw("/api/v1/organizations", fits).status, 201);
}

TEST_F(ManagementErrorsTest, WrongContentTypeIs415) {
  const std::string body = R"({"display_name":"x"})";
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/xml",
                           "application/jsonx"}) {
    SCOPED_TRACE(type);
    expect_api_error(post_raw("/api/v1/organizations", body, type), 415, 3);
    expect_api_error(post_raw(clients_path, R"({"name":"x"})", type), 415, 3);
  }
  expect_api_error(api->raw("POST", "/api/v1/organizations",
                            {{"Authorization", "Bearer " + api->admin_token()}}, body),
                   415, 3);
  EXPECT_EQ(post_raw("/api/v1/organizations", body, "application/json; charset=utf-8").status, 201);
  EXPECT_EQ(api->call("GET", "/api/v1/organizations").json().at("total_size"), 2);
}

TEST_F(ManagementErrorsTest, UnknownAndMalformedIdsAre404) {
  const CreatedClient client = api->create_client(org_id, Json{{"name", "x"}});
  const std::vector<std::string> bad_orgs{"org_1000000000000001",  // well-formed, never created
                                          "org_abc",
                                          "org_",
                                          "org_0123",
                                          "ORG_1000000000000001",
                                          client.id(),
                                          "org_" + std::string(40, '9'),
                                          "org_99999999999999999999",
                                          "%00",
                                          "..",
                                          "org_1%2F2"};
  for (const auto& id : bad_orgs) {
    SCOPED_TRACE(id);
    const std::string org = "/api/v1/organizations/" + id;
    expect_api_error(api->call("GET", org), 404, 5);
    expect_api_error(api->call("PATCH", org, Json{{"display_name", "y"}}), 404, 5);
    expect_api_error(api->call("DELETE", org), 404, 5);
    expect_api_error(api->call("GET", org + "/clients"), 404, 5);
    expect_api_error(api->call("POST", org + "/clients", Json{{"name", "y"}}), 404, 5);
  }
  const std::vector<std::string> bad_clients{"m2morg_1000000000000001", "m2morg_x", org_id,
                                             api->admin_id(), "m2morg_0" + client.id().substr(7)};
  for (const auto& id : bad_clients) {
    SCOPED_TRACE(id);
    const std::string path = clients_path + "/" + id;
    expect_api_error(api->call("GET", path), 404, 5);
    expect_api_error(api->call("PATCH", path, Json{{"name", "y"}}), 404, 5);
    expect_api_error(api->call("DELETE", path), 404, 5);
    expect_api_error(api->call("POST", path + "/secrets"), 404, 5);
  }
  expect_api_error(api->call("GET", "/api/v1/nothing"), 404, 5);
  expect_api_error(api->call("GET", "/api/v2/organizations"), 404, 5);
  EXPECT_EQ(client_count(), 1u);
}

TEST_F(ManagementErrorsTest, WrongMethodIs405WithAllow) {
  struct Case {
    const char* method;
    std::string target;
    std::vector<std::string> allowed;
  };
  const std::vector<Case> cases{
      {"PUT", "/api/v1/organizations", {"GET", "POST"}},
      {"DELETE", "/api/v1/organizations", {"GET", "POST"}},
      {"POST", "/api/v1/organizations/" + org_id, {"GET", "PATCH", "DELETE"}},
      {"PUT", clients_path, {"GET", "POST"}},
      {"GET", "/api/v1/keys:rotate", {"POST"}},
      {"POST", "/api/v1/keys", {"GET"}},
      {"POST", "/keys", {"GET"}},
      {"DELETE", "/.well-known/jwks.json", {"GET"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    const auto response = api->call(c.method, c.target);
    EXPECT_EQ(response.status, 405) << response.describe();
    const std::string allow = response.header("allow");
    for (const auto& method : c.allowed) {
      EXPECT_NE(allow.find(method), std::string::npos) << "Allow: " << allow;
    }
    // Without a token too: the method is wrong whoever asks.
    EXPECT_EQ(request(server->port(), c.method, c.target).status, 405);
  }
}

TEST_F(ManagementErrorsTest, DuplicateExternalIdIs409) {
  const std::string orgs = "/api/v1/organizations";
  ASSERT_EQ(api->call("POST", orgs, Json{{"display_name", "a"}, {"external_id", "ext-1"}}).status,
            201);
  expect_api_error(api->call("POST", orgs, Json{{"display_name", "b"}, {"external_id", "ext-1"}}),
                   409, 6);
  const auto other = api->call("POST", orgs, Json{{"display_name", "c"}, {"external_id", "ext-2"}});
  ASSERT_EQ(other.status, 201);
  const std::string other_id = other.json().at("organization").at("id").get<std::string>();
  expect_api_error(api->call("PATCH", orgs + "/" + other_id, Json{{"external_id", "ext-1"}}), 409,
                   6);
  EXPECT_EQ(api->call("GET", orgs + "/" + other_id).json().at("organization").at("external_id"),
            "ext-2");
  EXPECT_EQ(api->call("GET", orgs).json().at("total_size"), 3);
}

// A management token that was valid once: issued by a server whose wall clock ran two hours
// behind, then presented to the same server (same data directory, key and issuer) on real time.
class ExpiredTokenTest : public ServerTest {
 protected:
  ServerOptions server_options() override {
    return {.env = {{"LD_PRELOAD", clock_shift_library().string()},
                    {"IT_CLOCK_OFFSET_SECONDS", "-7200"},
                    {"ASAN_OPTIONS", "verify_asan_link_order=0"}}};
  }
};

TEST_F(ExpiredTokenTest, ExpiredManagementTokenIs401) {
  const std::string token = api->admin_token();
  const Jwt jwt = decode_jwt(token);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  ASSERT_LT(jwt.claims.at("exp").get<std::int64_t>(), now - 600)
      << "the clock shift did not apply to the server";
  // The shifted server itself still accepts it: it is a genuine token.
  EXPECT_EQ(api->call_as(token, "GET", "/api/v1/organizations").status, 200);

  EXPECT_EQ(server->stop(), 0);
  server->start(ServerOptions{});
  const auto response = api->call_as(token, "GET", "/api/v1/organizations");
  expect_api_error(response, 401, 16);
  EXPECT_NE(response.header("www-authenticate").find("invalid_token"), std::string::npos);
  // A fresh token from the same credentials works.
  api->set_admin(api->admin_id(), api->admin_secret());
  EXPECT_EQ(api->call("GET", "/api/v1/organizations").status, 200);
}

}  // namespace
}  // namespace tessera::it
