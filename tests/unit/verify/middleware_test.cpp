// Both middleware adapters, end to end through their frameworks' request types: cpp-httplib over
// a real loopback connection, Boost.Beast with in-memory request objects.
#include <thread>

#include <gtest/gtest.h>

#include "tessera/middleware/beast.hpp"
#include "tessera/middleware/httplib.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::middleware {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;
using verify::Authorizer;
using verify::Claims;

class MiddlewareTest : public ::testing::Test {
 protected:
  TestKey rsa = make_key(Algorithm::RS256, "snk_1");
  Authorizer authorizer{make_verifier(static_keys({&rsa})), "deploy-api"};
  std::string token = mint(rsa, seed_claims());
};

class HttplibMiddlewareTest : public MiddlewareTest {
 protected:
  ::httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int> handled{0};

  void SetUp() override {
    server.Post(
        "/deploy",
        httplib::require_scopes(
            authorizer, {"deploy:applications"},
            [this](const ::httplib::Request&, ::httplib::Response& res, const Claims& claims) {
              ++handled;
              res.set_content(json{{"client_id", claims.client_id}}.dump(), "application/json");
            }));
    server.Get("/admin",
               httplib::require_scopes(authorizer, {"admin:all"},
                                       [this](const auto&, auto&, const Claims&) { ++handled; }));
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server.stop();
    thread.join();
  }
  ::httplib::Result post(const ::httplib::Headers& headers) {
    ::httplib::Client client("127.0.0.1", port);
    return client.Post("/deploy", headers, "{}", "application/json");
  }
};

TEST_F(HttplibMiddlewareTest, RunsTheHandlerOnlyForAllowedRequests) {
  auto ok = post({{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["client_id"], "m2morg_69038819013296423");
  EXPECT_EQ(handled, 1);
}

TEST_F(HttplibMiddlewareTest, Answers401WithoutErrorForMissingCredentials) {
  for (const ::httplib::Headers& headers :
       {::httplib::Headers{}, ::httplib::Headers{{"Authorization", "Basic dXNlcjpwYXNz"}},
        ::httplib::Headers{{"Authorization", "Bearer"}}}) {
    auto res = post(headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="deploy-api")");
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  }
  EXPECT_EQ(handled, 0);
}

TEST_F(HttplibMiddlewareTest, Answers401InvalidTokenAnd403InsufficientScope) {
  auto bad = post({{"Authorization", "bearer " + token.substr(0, token.size() - 4) + "AAAA"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(
      bad->get_header_value("WWW-Authenticate"),
      R"(Bearer realm="deploy-api", error="invalid_token", error_description="invalid signature")");
  EXPECT_EQ(json::parse(bad->body)["error"], "invalid_token");

  ::httplib::Client client("127.0.0.1", port);
  auto forbidden = client.Get("/admin", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(forbidden->get_header_value("WWW-Authenticate"),
            R"(Bearer realm="deploy-api", error="insufficient_scope", scope="admin:all")");
  EXPECT_EQ(json::parse(forbidden->body)["scope"], "admin:all");
  EXPECT_EQ(handled, 0);
}

TEST_F(HttplibMiddlewareTest, RefusesRepeatedAuthorizationFields) {
  auto res = post({{"Authorization", "Bearer " + token}, {"Authorization", "Bearer " + token}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), R"(Bearer realm="deploy-api")");
  EXPECT_EQ(handled, 0);
}

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Request beast_request(std::string_view authorization) {
  Request request{http::verb::post, "/deploy", 11};
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  request.keep_alive(true);
  return request;
}

TEST_F(MiddlewareTest, BeastWrapsAHandler) {
  int handled = 0;
  auto deploy = beast::require_scopes(authorizer, {"deploy:applications"},
                                      [&](const Request& req, const Claims& claims) {
                                        ++handled;
                                        Response res{http::status::ok, req.version()};
                                        res.body() = claims.client_id;
                                        return res;
                                      });
  const Response ok = deploy(beast_request("Bearer " + token));
  EXPECT_EQ(ok.result(), http::status::ok);
  EXPECT_EQ(ok.body(), "m2morg_69038819013296423");

  const Response missing = deploy(beast_request(""));
  EXPECT_EQ(missing.result(), http::status::unauthorized);
  EXPECT_EQ(missing[http::field::www_authenticate], R"(Bearer realm="deploy-api")");
  EXPECT_EQ(missing[http::field::content_type], "application/json");
  EXPECT_TRUE(missing.keep_alive());
  EXPECT_EQ(missing[http::field::content_length], std::to_string(missing.body().size()));

  const Response invalid = deploy(beast_request("Bearer x.y.z"));
  EXPECT_EQ(invalid.result(), http::status::unauthorized);
  EXPECT_NE(invalid[http::field::www_authenticate].find(R"(error="invalid_token")"),
            std::string::npos);

  auto admin = beast::require_scopes(authorizer, {"admin:all"},
                                     [&](const Request&, const Claims&) { return Response{}; });
  const Response forbidden = admin(beast_request("Bearer " + token));
  EXPECT_EQ(forbidden.result(), http::status::forbidden);
  EXPECT_EQ(forbidden[http::field::www_authenticate],
            R"(Bearer realm="deploy-api", error="insufficient_scope", scope="admin:all")");

  Request twice = beast_request("Bearer " + token);
  twice.insert(http::field::authorization, "Bearer " + token);
  EXPECT_EQ(deploy(twice).result(), http::status::unauthorized);
  EXPECT_EQ(handled, 1);
}

}  // namespace
}  // namespace tessera::middleware
