// Hostile input on every management route, table-driven: malformed JSON, wrong top-level and
// member types, huge strings and arrays, deep nesting, unknown fields and non-UTF-8, in bodies,
// paths and query strings. Every answer is a 4xx in the contract's google.rpc.Status shape (or a
// 2xx where the input is legitimate, e.g. unknown fields, which are ignored), never a 5xx.
#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

enum class Kind { string, strings, string_map, claims, integer };

struct Field {
  const char* name;
  Kind kind;
};

struct BodyRoute {
  const char* method;
  std::string path;
  std::vector<Field> fields;
};

int rpc_code_for(int status) {
  switch (status) {
    case 400:
      return 3;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 5;
    case 405:
      return 12;
    case 409:
      return 6;
    case 413:
    case 415:
    case 431:
      return 3;
    case 429:
      return 8;
    case 503:
      return 14;
  }
  return -1;
}

// A 4xx in the contract's error shape (400 may also carry code 9, FAILED_PRECONDITION).
void expect_error_shape(const Response& response) {
  ASSERT_GE(response.status, 400) << response.describe();
  ASSERT_LT(response.status, 500) << response.describe();
  EXPECT_EQ(response.header("content-type"), "application/json") << response.describe();
  Json body;
  ASSERT_NO_THROW(body = response.json());
  const int code = body.value("code", -1);
  EXPECT_TRUE(code == rpc_code_for(response.status) || (response.status == 400 && code == 9))
      << response.describe();
  EXPECT_TRUE(body.contains("message") && body.at("message").is_string() &&
              !body.at("message").get<std::string>().empty())
      << response.describe();
  ASSERT_TRUE(body.contains("details") && body.at("details").is_array() &&
              !body.at("details").empty())
      << response.describe();
  EXPECT_EQ(body.at("details").at(0).value("@type", ""),
            "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo");
}

// 400 INVALID_ARGUMENT with a field violation for `field` (or one of its elements: "scopes[3]").
void expect_violation(const Response& response, std::string_view field) {
  ASSERT_EQ(response.status, 400) << response.describe();
  expect_error_shape(response);
  const Json violations = response.json()
                              .at("details")
                              .at(0)
                              .value("validation_error_info", Json::object())
                              .value("field_violations", Json::array());
  bool named = false;
  for (const auto& v : violations) {
    const std::string name = v.value("field", "");
    named |= name == field || name.starts_with(std::string(field) + "[") ||
             name.starts_with(std::string(field) + ".");
  }
  EXPECT_TRUE(named) << "no violation for " << field << " in " << response.describe();
}

// Values of the wrong JSON type for a member of `kind`.
std::vector<Json> wrong_types(Kind kind) {
  const Json number = 5;
  const Json boolean = true;
  const Json object = Json{{"a", "b"}};
  const Json array = Json::array({"a"});
  switch (kind) {
    case Kind::string:
      return {number, boolean, object, array, 1.5};
    case Kind::strings:
      return {"a",
              number,
              object,
              Json::array({1}),
              Json::array({Json::array({"a"})}),
              Json::array({"a", nullptr})};
    case Kind::string_map:
      return {"a", number, array, Json{{"k", 1}}, Json{{"k", Json::array()}}, Json{{"k", nullptr}}};
    case Kind::claims:
      return {"a",
              number,
              object,
              Json::array({"k"}),
              Json::array({Json{{"value", "v"}}}),
              Json::array({Json{{"key", 1}, {"value", "v"}}}),
              Json::array({Json{{"key", "k"}, {"value", 2}}})};
    case Kind::integer:
      return {"soon", boolean, array,   object, 1.5,
              1e300,  -1e300,  "12abc", "1e3",  Json(18446744073709551615ull)};
  }
  return {};
}

// A legitimate value that is far too big for `kind`: 60 KiB strings, 5000 elements.
Json huge_value(Kind kind) {
  switch (kind) {
    case Kind::string:
      return std::string(60 * 1024, 'h');
    case Kind::strings: {
      Json array = Json::array();
      for (int i = 0; i < 5000; ++i)
        array.push_back("s" + std::to_string(i));
      return array;
    }
    case Kind::string_map: {
      Json map = Json::object();
      for (int i = 0; i < 3000; ++i)
        map["k" + std::to_string(i)] = "v";
      return map;
    }
    case Kind::claims: {
      Json array = Json::array();
      for (int i = 0; i < 2000; ++i)
        array.push_back({{"key", "k" + std::to_string(i)}, {"value", "v"}});
      return array;
    }
    case Kind::integer:
      return "9223372036854775808";  // one past INT64_MAX, as proto3 JSON's string form
  }
  return nullptr;
}

// Bodies that are not a JSON object, or not valid JSON / UTF-8 at all.
const std::vector<std::pair<const char*, std::string>>& malformed_bodies() {
  static const std::vector<std::pair<const char*, std::string>> bodies{
      {"open brace", "{"},
      {"missing value", R"({"a":})"},
      {"trailing comma", R"({"a": "b",})"},
      {"bare word", "nul"},
      {"single quotes", "{'a': 'b'}"},
      {"comment", R"({"a": "b" /* c */})"},
      {"trailing garbage", R"({} {})"},
      {"duplicate member", R"({"a": "b", "a": "c"})"},
      {"array", "[]"},
      {"string", R"("x")"},
      {"number", "1"},
      {"null", "null"},
      {"true", "true"},
      {"non-UTF-8 value", "{\"x\": \"\xff\xfe\"}"},
      {"non-UTF-8 key", "{\"\xc3\x28\": \"v\"}"},
      {"overlong UTF-8", "{\"x\": \"\xc0\xaf\"}"},
      {"UTF-16 surrogate bytes", "{\"x\": \"\xed\xa0\x80\"}"},
      {"lone surrogate escape", R"({"x": "\ud800"})"},
      {"raw control character", std::string("{\"x\": \"a\x01b\"}")},
      {"NUL byte", std::string("{\"x\": \"a\0b\"}", 12)},
      {"deep nesting", "{\"x\": " + std::string(200, '[') + std::string(200, ']') + "}"},
      {"huge exponent", R"({"x": 1e999999})"},
      {"BOM", "\xef\xbb\xbf{}"},
  };
  return bodies;
}

class ManagementInputSweepTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    client = api->create_client(org_id, Json{{"name", "target"}});
    secret_id = client.client.at("secrets").at(0).at("id").get<std::string>();
    const std::string org = "/api/v1/organizations/" + org_id;
    const std::string cl = org + "/clients/" + client.id();
    const std::vector<Field> org_fields{{"display_name", Kind::string},
                                        {"external_id", Kind::string},
                                        {"metadata", Kind::string_map}};
    const std::vector<Field> client_fields{
        {"name", Kind::string},      {"description", Kind::string},   {"scopes", Kind::strings},
        {"audience", Kind::strings}, {"custom_claims", Kind::claims}, {"expiry", Kind::integer}};
    body_routes = {
        {"POST", "/api/v1/organizations", org_fields},
        {"PATCH", org, org_fields},
        {"POST", org + "/clients", client_fields},
        {"PATCH", cl, client_fields},
        {"POST", cl + "/secrets", {}},
        {"POST",
         "/api/v1/keys:rotate",
         {{"algorithm", Kind::string}, {"activate_after_seconds", Kind::integer}}},
    };
    bodyless_routes = {
        {"GET", "/api/v1/organizations"},
        {"GET", org},
        {"DELETE", "/api/v1/organizations/{garbage}"},
        {"GET", org + "/clients"},
        {"GET", cl},
        {"DELETE", org + "/clients/{garbage}"},
        {"DELETE", cl + "/secrets/{garbage}"},
        {"GET", "/api/v1/keys"},
        {"GET", "/api/v1/audit-events"},
    };
  }

  Response send(std::string_view method, const std::string& path, std::string_view body,
                std::string_view type = "application/json") {
    Headers headers{{"Authorization", "Bearer " + api->admin_token()}};
    if (!body.empty()) headers.emplace_back("Content-Type", std::string(type));
    return api->raw(method, path, headers, body);
  }

  // A body that is valid apart from `field`, which holds `value`. Client creation needs a name.
  static std::string body_with(const BodyRoute& route, const char* field, const Json& value) {
    Json body = Json::object();
    if (route.path.ends_with("/clients") && std::string_view(field) != "name") body["name"] = "n";
    if (route.path == "/api/v1/organizations" && std::string_view(field) != "display_name") {
      body["display_name"] = "d";
    }
    body[field] = value;
    return body.dump();
  }

  std::string org_id;
  CreatedClient client;
  std::string secret_id;
  std::vector<BodyRoute> body_routes;
  std::vector<std::pair<const char*, std::string>> bodyless_routes;
};

TEST_F(ManagementInputSweepTest, MalformedBodiesAre400OnEveryRouteThatTakesOne) {
  for (const auto& route : body_routes) {
    for (const auto& [what, body] : malformed_bodies()) {
      SCOPED_TRACE(std::string(route.method) + " " + route.path + ": " + what);
      const Response response = send(route.method, route.path, body);
      EXPECT_EQ(response.status, 400) << response.describe();
      expect_error_shape(response);
    }
  }
}

TEST_F(ManagementInputSweepTest, WrongMemberTypesAre400NamingTheField) {
  for (const auto& route : body_routes) {
    for (const auto& field : route.fields) {
      for (const auto& value : wrong_types(field.kind)) {
        SCOPED_TRACE(std::string(route.method) + " " + route.path + ": " + field.name + "=" +
                     value.dump());
        expect_violation(send(route.method, route.path, body_with(route, field.name, value)),
                         field.name);
      }
    }
  }
}

TEST_F(ManagementInputSweepTest, HugeStringsAndArraysAre400NamingTheField) {
  for (const auto& route : body_routes) {
    for (const auto& field : route.fields) {
      SCOPED_TRACE(std::string(route.method) + " " + route.path + ": huge " + field.name);
      const std::string body = body_with(route, field.name, huge_value(field.kind));
      ASSERT_LT(body.size(), 64u * 1024) << "must fit the body limit to reach validation";
      expect_violation(send(route.method, route.path, body), field.name);
    }
    // Past the body limit: 413, whatever the content.
    SCOPED_TRACE(std::string(route.method) + " " + route.path + ": 70 KiB");
    const Response too_big =
        send(route.method, route.path, R"({"pad":")" + std::string(70 * 1024, 'p') + "\"}");
    EXPECT_EQ(too_big.status, 413) << too_big.describe();
    expect_error_shape(too_big);
  }
}

TEST_F(ManagementInputSweepTest, UnknownFieldsAreIgnoredAndWrongMediaTypesAre415) {
  const Json unknown = {{"unknown", {{"deeply", Json::array({1, "two", nullptr, 3.5})}}},
                        {"another_unknown", std::string(1000, 'u')}};
  for (const auto& route : body_routes) {
    SCOPED_TRACE(std::string(route.method) + " " + route.path);
    Json body = unknown;
    if (route.path.ends_with("/clients")) body["name"] = "n";
    if (route.path == "/api/v1/organizations") body["display_name"] = "d";
    const Response accepted = send(route.method, route.path, body.dump());
    EXPECT_TRUE(accepted.status == 200 || accepted.status == 201) << accepted.describe();
    const Response wrong_type = send(route.method, route.path, body.dump(), "text/plain");
    EXPECT_EQ(wrong_type.status, 415) << wrong_type.describe();
    expect_error_shape(wrong_type);
  }
}

TEST_F(ManagementInputSweepTest, GarbagePathsAndQueriesAreNever5xx) {
  const std::vector<std::string> ids{"%FF%FE",
                                     "%C0%AF",
                                     "%00",
                                     "%",
                                     "%zz",
                                     "..%2F..%2Fetc%2Fpasswd",
                                     "org_%FF",
                                     "m2morg_1%00",
                                     std::string(4000, 'a'),
                                     "org_99999999999999999999999",
                                     "org_-1",
                                     "org_0",
                                     "%27%20OR%201%3D1--",
                                     "%E2%80%AE"};
  const std::vector<std::string> queries{"page_size=abc",
                                         "page_size=-1",
                                         "page_size=99999999999999999999999",
                                         "page_size=1.5",
                                         "page_token=%FF%FE",
                                         "page_token=" + std::string(3000, 'A'),
                                         "page_token=%",
                                         "page_token=not-a-token",
                                         "page_size=1&page_size=2",
                                         "%FF=%FF",
                                         "organization_id=%FF",
                                         "actor=%00",
                                         "target_id=%C0%AF",
                                         "action=" + std::string(3000, 'x'),
                                         "a=%zz"};
  auto check = [&](std::string_view method, const std::string& target) {
    SCOPED_TRACE(std::string(method) + " " + target.substr(0, 120));
    const Response response = send(method, target, "");
    EXPECT_LT(response.status, 500) << response.describe();
    if (response.status >= 400) expect_error_shape(response);
  };
  for (const auto& [method, path] : bodyless_routes) {
    const std::string p = path;
    const auto hole = p.find("{garbage}");
    if (hole != std::string::npos) {
      for (const auto& id : ids)
        check(method, p.substr(0, hole) + id);
    }
    for (const auto& query : queries)
      check(method, (hole != std::string::npos ? p.substr(0, hole) + "x" : p) + "?" + query);
    // A body on a route that takes none is not a reason to fail either.
    const Response with_body = send(method, p, "{\"x\": \"\xff\"}");
    EXPECT_LT(with_body.status, 500) << with_body.describe();
  }
  // Garbage ids in the middle of the body routes' paths.
  for (const auto& id : ids) {
    check("GET", "/api/v1/organizations/" + id);
    check("PATCH", "/api/v1/organizations/" + id);
    check("GET", "/api/v1/organizations/" + org_id + "/clients/" + id);
    check("POST", "/api/v1/organizations/" + id + "/clients/" + client.id() + "/secrets");
    check("DELETE",
          "/api/v1/organizations/" + id + "/clients/" + client.id() + "/secrets/" + secret_id);
  }
  // Raw bytes that are not even ASCII in the request target.
  for (const std::string target : {"/api/v1/organizations/\xff\xfe", "/api/v1/organizations?\x80",
                                   "/api/v1/organizations/org_1\x01"}) {
    Connection connection(server->port());
    connection.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    api->admin_token() + "\r\nConnection: close\r\n\r\n");
    const auto response = connection.read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_LT(response->status, 500) << response->describe();
    EXPECT_GE(response->status, 400) << response->describe();
  }
  // And nothing above touched the real objects.
  EXPECT_EQ(api->call("GET", "/api/v1/organizations/" + org_id + "/clients/" + client.id()).status,
            200);
  EXPECT_EQ(api->token_post(client.id(), client.plain_secret).status, 200);
}

}  // namespace
}  // namespace tessera::it
