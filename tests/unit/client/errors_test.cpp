// Typed errors: what a real server answers, what the client refuses to send, what happens without
// a server, and (from a stub) answers a correct server never gives.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <thread>

#include "unit/client/live_server.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;
using client::Code;
using client::ErrorSource;

class ServerErrors : public ::testing::Test {
 protected:
  LiveServer server_;
  Client tessera_ = server_.client();
};

TEST_F(ServerErrors, ValidationErrorsCarryFieldViolations) {
  auto org = tessera_.organizations().create_organization({.display_name = "Acme"});
  ASSERT_TRUE(org);
  auto created = tessera_.m2m().create_client(
      org->id, {.name = std::string(129, 'n'), .expiry = std::chrono::seconds(10)});
  ASSERT_FALSE(created);
  const auto& error = created.error();
  EXPECT_EQ(error.source, ErrorSource::server);
  EXPECT_EQ(error.code, Code::invalid_argument);
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.error_code, "INVALID_ARGUMENT");
  EXPECT_FALSE(error.message.empty());
  std::set<std::string> fields;
  for (const auto& violation : error.field_violations) {
    fields.insert(violation.field);
    EXPECT_FALSE(violation.description.empty());
  }
  EXPECT_TRUE(fields.contains("name"));
  EXPECT_TRUE(fields.contains("expiry"));
  EXPECT_TRUE(error.describe().starts_with("INVALID_ARGUMENT (HTTP 400): ")) << error.describe();
}

TEST_F(ServerErrors, ConflictsPreconditionsAndUnknownIds) {
  auto orgs = tessera_.organizations();
  ASSERT_TRUE(orgs.create_organization({.display_name = "A", .external_id = "ext-1"}));
  auto duplicate = orgs.create_organization({.display_name = "B", .external_id = "ext-1"});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, Code::already_exists);
  EXPECT_EQ(duplicate.error().http_status, 409);

  auto seed = register_seed_client(tessera_);
  const auto& client = seed.created.client;
  auto last =
      tessera_.m2m().remove_secret(seed.organization_id, client.client_id, client.secrets.at(0).id);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, Code::failed_precondition);
  EXPECT_EQ(last.error().http_status, 400);
  EXPECT_EQ(last.error().error_code, "FAILED_PRECONDITION");

  auto other_org = orgs.create_organization({.display_name = "C"});
  ASSERT_TRUE(other_org);
  // A client addressed under another organization does not exist there.
  auto elsewhere = tessera_.m2m().get_client(other_org->id, client.client_id);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, Code::not_found);
  auto malformed = tessera_.m2m().get_client(seed.organization_id, "not an id/../x");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, Code::not_found);
}

TEST_F(ServerErrors, WrongEnvironmentSecretIsUnauthenticated) {
  Client wrong(server_.url(), server_.client_id(), "not-the-secret");
  auto orgs = wrong.organizations().list_organizations();
  ASSERT_FALSE(orgs);
  EXPECT_EQ(orgs.error().source, ErrorSource::server);
  EXPECT_EQ(orgs.error().code, Code::unauthenticated);
  EXPECT_EQ(orgs.error().http_status, 401);
  EXPECT_EQ(orgs.error().error_code, "invalid_client");
  EXPECT_EQ(wrong.stats().requests, 1u);  // the token request; the call itself was never sent
}

TEST_F(ServerErrors, ApiClientCredentialsCannotManage) {
  auto seed = register_seed_client(tessera_);
  Client impostor(server_.url(), seed.created.client.client_id, seed.created.plain_secret);
  auto orgs = impostor.organizations().list_organizations();
  ASSERT_FALSE(orgs);
  EXPECT_EQ(orgs.error().code, Code::unauthenticated);
  EXPECT_EQ(orgs.error().http_status, 401);
  EXPECT_EQ(orgs.error().error_code, "UNAUTHENTICATED");
  EXPECT_EQ(impostor.stats().unauthorized_retries, 1u);  // one new token, refused as well
}

TEST(ClientErrors, EmptyIdsAreRefusedBeforeAnyRequest) {
  Client tessera("http://127.0.0.1:9", "skc_1", "secret");
  auto got = tessera.m2m().get_client("", "m2morg_1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().source, ErrorSource::configuration);
  EXPECT_EQ(got.error().code, Code::invalid_argument);
  ASSERT_EQ(got.error().field_violations.size(), 1u);
  EXPECT_EQ(got.error().field_violations[0].field, "organization_id");
  EXPECT_FALSE(tessera.m2m().remove_secret("org_1", "m2morg_1", ""));
  EXPECT_FALSE(tessera.tokens().get_token("", "secret"));
  EXPECT_EQ(tessera.stats().requests, 0u);
}

TEST(ClientErrors, PlainHttpOnlyForLoopbackUnlessAllowed) {
  for (const char* url :
       {"http://auth.example.com", "http://127.example.com", "ftp://127.0.0.1", "not a url", ""}) {
    Client tessera(url, "skc_1", "secret");
    auto keys = tessera.keys().list_keys();
    ASSERT_FALSE(keys) << url;
    EXPECT_EQ(keys.error().source, ErrorSource::configuration) << url;
    EXPECT_EQ(keys.error().field_violations.at(0).field, "env_url") << url;
    EXPECT_EQ(tessera.stats().requests, 0u) << url;
  }
  // Loopback over http is fine (nothing listens on port 9: a transport error, not configuration).
  for (const char* url : {"http://127.0.0.1:9", "http://localhost:9/", "http://[::1]:9"}) {
    Client tessera(url, "skc_1", "secret");
    auto keys = tessera.keys().list_keys();
    ASSERT_FALSE(keys) << url;
    EXPECT_EQ(keys.error().source, ErrorSource::transport) << url;
    EXPECT_EQ(keys.error().code, Code::unavailable) << url;
    EXPECT_EQ(keys.error().http_status, 0) << url;
  }
  Client allowed("http://auth.example.com", "skc_1", "secret", {.allow_http = true});
  EXPECT_EQ(allowed.env_url(), "http://auth.example.com");
}

TEST(ClientErrors, TrailingSlashesAreIgnored) {
  LiveServer server;
  Client tessera(server.url() + "//", server.client_id(), server.client_secret());
  EXPECT_EQ(tessera.env_url(), server.url());
  EXPECT_TRUE(tessera.keys().list_keys());
}

// --- Answers only a broken or foreign server gives -------------------------------------------

class StubServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit StubServer(Handler api) : api_(std::move(api)) {
    server_.Post("/oauth/token", [this](const httplib::Request&, httplib::Response& res) {
      const int n = ++tokens_;
      res.set_content(R"({"access_token":"t)" + std::to_string(n) +
                          R"(","token_type":"Bearer","expires_in":3600})",
                      "application/json");
    });
    const auto counted = [this](const httplib::Request& req, httplib::Response& res) {
      ++calls_;
      api_(req, res);
    };
    server_.Get("/api/.*", counted);
    server_.Post("/api/.*", counted);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(1ms);
  }
  ~StubServer() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int tokens() const { return tokens_.load(); }
  int calls() const { return calls_.load(); }

 private:
  Handler api_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> tokens_{0};
  std::atomic<int> calls_{0};
};

TEST(StubErrors, A401IsRetriedOnlyOnce) {
  StubServer stub([](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"code":16,"message":"token expired"})", "application/json");
  });
  Client tessera(stub.url(), "skc_1", "secret");
  auto keys = tessera.keys().list_keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, Code::unauthenticated);
  EXPECT_EQ(keys.error().message, "token expired");
  EXPECT_EQ(stub.calls(), 2);
  EXPECT_EQ(stub.tokens(), 2);
}

TEST(StubErrors, TheSecondTokenIsSentOnTheRetry) {
  StubServer stub([](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer t2") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"keys":[]})", "application/json");
  });
  Client tessera(stub.url(), "skc_1", "secret");
  auto keys = tessera.keys().list_keys();
  ASSERT_TRUE(keys) << keys.error().describe();
  EXPECT_EQ(tessera.stats().unauthorized_retries, 1u);
}

TEST(StubErrors, UnavailableCarriesRetryAfter) {
  StubServer stub([](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "7");
    res.set_content(R"({"code":14,"message":"database unavailable","details":[)"
                    R"({"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",)"
                    R"("error_code":"UNAVAILABLE"}]})",
                    "application/json");
  });
  Client tessera(stub.url(), "skc_1", "secret");
  auto keys = tessera.keys().list_keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, Code::unavailable);
  EXPECT_EQ(keys.error().http_status, 503);
  EXPECT_EQ(keys.error().error_code, "UNAVAILABLE");
  EXPECT_EQ(keys.error().retry_after, 7s);
}

TEST(StubErrors, ErrorBodiesOfAnotherShapeFallBackToTheStatus) {
  StubServer stub([](const httplib::Request&, httplib::Response& res) {
    res.status = 502;
    res.set_content("<html>Bad Gateway</html>", "text/html");
  });
  Client tessera(stub.url(), "skc_1", "secret");
  auto keys = tessera.keys().list_keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().source, ErrorSource::server);
  EXPECT_EQ(keys.error().code, Code::internal);
  EXPECT_EQ(keys.error().http_status, 502);
  EXPECT_FALSE(keys.error().message.empty());
}

TEST(StubErrors, SuccessfulAnswersOfTheWrongShapeAreProtocolErrors) {
  for (const char* body : {"not json", "[]", R"({"keys":[{"algorithm":"RS256"}]})",
                           R"({"keys":[{"id":"snk_1","create_time":"yesterday"}]})",
                           R"({"keys":"none"})", R"({"other":1})"}) {
    StubServer stub([body](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, "application/json");
    });
    Client tessera(stub.url(), "skc_1", "secret");
    auto keys = tessera.keys().list_keys();
    ASSERT_FALSE(keys) << body;
    EXPECT_EQ(keys.error().source, ErrorSource::protocol) << body;
    EXPECT_EQ(keys.error().code, Code::internal) << body;
  }
}

TEST(StubErrors, OversizedAnswersAreCutOff) {
  StubServer stub([](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"keys":[],"pad":")" + std::string(2000, 'x') + "\"}", "application/json");
  });
  Client tessera(stub.url(), "skc_1", "secret", {.max_response_bytes = 1000});
  auto keys = tessera.keys().list_keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().source, ErrorSource::protocol);
}

}  // namespace
}  // namespace tessera::testing
