// End to end: the built examples/deploy_api binary, started on a loopback port against a local
// JWKS server, answering real HTTP requests with 200 / 401 / 403.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/verify/jwks_server.hpp"
#include "unit/verify/test_support.hpp"

extern char** environ;

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;

// A running deploy_api process; stopped with SIGTERM when destroyed.
class DeployApi {
 public:
  explicit DeployApi(std::vector<std::string> args) {
    args.insert(args.begin(), {DEPLOY_API_PATH, "--listen", "127.0.0.1:0"});
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const int rc = posix_spawn(&pid_, DEPLOY_API_PATH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) throw std::runtime_error("posix_spawn");
    // The first line names the bound port: "listening on http://127.0.0.1:PORT".
    stdout_ = fdopen(out[0], "r");
    char line[256] = {};
    if (fgets(line, sizeof line, stdout_) == nullptr) throw std::runtime_error("no listen line");
    const std::string text(line);
    port_ = std::stoi(text.substr(text.rfind(':') + 1));
  }
  ~DeployApi() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    fclose(stdout_);
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  int port_ = 0;
};

json realtime_claims(std::string_view issuer) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  json claims = seed_claims();
  claims["iss"] = issuer;
  claims["iat"] = now;
  claims["nbf"] = now;
  claims["exp"] = now + 600;
  return claims;
}

class DeployApiTest : public ::testing::Test {
 protected:
  JwksServer issuer;
  TestKey key = make_key(Algorithm::RS256, "snk_e2e");

  void SetUp() override { issuer.set_body(jwks_json({&key})); }
  std::string bearer(const json& claims) const { return "Bearer " + mint(key, claims); }
  json claims() const { return realtime_claims(issuer.base_url()); }
};

TEST_F(DeployApiTest, ServesTheGuidesRoutesWithScopeChecks) {
  const DeployApi api({"--issuer", issuer.base_url(), "--allow-http"});
  auto client = api.client();

  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  EXPECT_EQ(issuer.paths(), std::vector<std::string>{"/keys"});  // {issuer}/keys by default

  auto missing = client.Get("/deployments");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), R"(Bearer realm="deploy-api")");

  auto listed = client.Get("/deployments", {{"Authorization", bearer(claims())}});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(json::parse(listed->body)["client_id"], "m2morg_69038819013296423");

  auto deployed =
      client.Post("/deploy", {{"Authorization", bearer(claims())}}, "{}", "application/json");
  ASSERT_TRUE(deployed);
  EXPECT_EQ(deployed->status, 200);
  EXPECT_EQ(json::parse(deployed->body)["message"], "Deployment successful");

  json read_only = claims();
  read_only["scopes"] = {"read:deployments"};
  auto forbidden =
      client.Post("/deploy", {{"Authorization", bearer(read_only)}}, "{}", "application/json");
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(
      forbidden->get_header_value("WWW-Authenticate"),
      R"(Bearer realm="deploy-api", error="insufficient_scope", scope="deploy:applications")");
  EXPECT_EQ(json::parse(forbidden->body)["error"], "insufficient_scope");
  auto still_readable = client.Get("/deployments", {{"Authorization", bearer(read_only)}});
  ASSERT_TRUE(still_readable);
  EXPECT_EQ(still_readable->status, 200);

  json expired = claims();
  expired["exp"] = expired["iat"].get<std::int64_t>() - 3600;
  auto invalid = client.Get("/deployments", {{"Authorization", bearer(expired)}});
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 401);
  EXPECT_EQ(
      invalid->get_header_value("WWW-Authenticate"),
      R"(Bearer realm="deploy-api", error="invalid_token", error_description="token expired")");

  json other_issuer = claims();
  other_issuer["iss"] = issuer.base_url() + "/";
  auto wrong = client.Get("/deployments", {{"Authorization", bearer(other_issuer)}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto method = client.Get("/deploy", {{"Authorization", bearer(claims())}});
  ASSERT_TRUE(method);
  EXPECT_EQ(method->status, 405);
  auto unknown = client.Get("/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(DeployApiTest, ChecksTheAudienceWhenAsked) {
  JwksServer other_path;
  other_path.set_body(jwks_json({&key}));
  const DeployApi api({"--issuer", issuer.base_url(), "--jwks-uri", other_path.base_url() + "/jwks",
                       "--audience", "deploy-api", "--allow-http"});
  auto client = api.client();
  EXPECT_EQ(other_path.paths(), std::vector<std::string>{"/jwks"});
  EXPECT_EQ(issuer.requests(), 0);
  auto without = client.Get("/deployments", {{"Authorization", bearer(claims())}});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  json with = claims();
  with["aud"] = {"deploy-api"};
  auto ok = client.Get("/deployments", {{"Authorization", bearer(with)}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(DeployApiCli, RefusesPlainHttpIssuersWithoutTheFlagAndBadArguments) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--listen", "127.0.0.1:0", "--issuer", "http://127.0.0.1:1"},
        std::vector<std::string>{"--listen", "127.0.0.1:0"},
        std::vector<std::string>{"--listen", "127.0.0.1:x", "--issuer", "https://a.example"},
        std::vector<std::string>{"--issuer", "https://a.example"},
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--issuer", "https://a.example",
                                 "--alg", "HS256"}}) {
    std::string command = std::string(DEPLOY_API_PATH);
    for (const auto& arg : args)
      command += " '" + arg + "'";
    command += " >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << command;
  }
}

}  // namespace
}  // namespace tessera::verify
