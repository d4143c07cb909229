// The seed's second half against the foundation's example API server (examples/deploy_api): a
// token with deploy:applications may POST /deploy, one without it gets 403, no or a tampered
// token gets 401. Skipped only when the deploy_api binary is not part of the build.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// deploy_api as a child process, killed at the end of the test.
class DeployApi {
 public:
  DeployApi(const std::string& issuer, const std::filesystem::path& log) : log_(log) {
    port_ = free_loopback_port();
    pid_ = spawn(
        deploy_api_binary(),
        {"--listen", "127.0.0.1:" + std::to_string(port_), "--issuer", issuer, "--allow-http"}, {},
        log, log);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (request(port_, "GET", "/health").status == 200) return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("deploy_api did not answer GET /health");
  }
  ~DeployApi() {
    ::kill(pid_, SIGTERM);
    wait_for_exit(pid_, 5s);
  }
  std::uint16_t port() const { return port_; }

 private:
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

class DeployApiTest : public ServerTest {
 protected:
  void SetUp() override {
    const auto binary = deploy_api_binary();
    std::error_code ec;
    if (binary.empty() || !std::filesystem::is_regular_file(binary, ec)) {
      GTEST_SKIP() << "examples/deploy_api is not built (" << binary << ")";
    }
    ServerTest::SetUp();
  }

  Response deploy(std::string_view token) {
    Headers headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + std::string(token));
    return request(deploy_api->port(), "POST", "/deploy", headers,
                   R"({"application":"web","environment":"production"})");
  }

  std::unique_ptr<DeployApi> deploy_api;
};

TEST_F(DeployApiTest, ScopesDecideWhatTheApiClientMayDo) {
  const Json org = api->create_organization("Acme Corp");
  const std::string org_id = org.at("id").get<std::string>();
  const CreatedClient deployer = api->create_client_raw(org_id, kSeedClientBody);
  const CreatedClient reader = api->create_client(
      org_id, Json{{"name", "Dashboard"}, {"scopes", {"read:deployments"}}, {"expiry", 3600}});
  deploy_api = std::make_unique<DeployApi>(server->url(), server->root() / "deploy_api.log");

  const std::string deploy_token = api->access_token(deployer.id(), deployer.plain_secret);
  const auto allowed = deploy(deploy_token);
  EXPECT_EQ(allowed.status, 200) << allowed.describe();

  // Authenticated, but without deploy:applications: 403 with an RFC 6750 insufficient_scope.
  const std::string read_token = api->access_token(reader.id(), reader.plain_secret);
  const auto forbidden = deploy(read_token);
  EXPECT_EQ(forbidden.status, 403) << forbidden.describe();
  EXPECT_NE(forbidden.header("www-authenticate").find("insufficient_scope"), std::string::npos)
      << forbidden.header("www-authenticate");
  // The same token may read deployments.
  const auto reading = request(deploy_api->port(), "GET", "/deployments",
                               {{"Authorization", "Bearer " + read_token}});
  EXPECT_EQ(reading.status, 200) << reading.describe();

  // The deployer down-scoped to read:deployments may not deploy either.
  const std::string narrowed =
      api->access_token(deployer.id(), deployer.plain_secret, "read:deployments");
  EXPECT_EQ(deploy(narrowed).status, 403);

  const auto missing = deploy("");
  EXPECT_EQ(missing.status, 401) << missing.describe();
  EXPECT_TRUE(missing.header("www-authenticate").starts_with("Bearer"))
      << missing.header("www-authenticate");

  // One character of the signature changed.
  std::string tampered = deploy_token;
  const auto sig = tampered.rfind('.') + 10;
  tampered[sig] = tampered[sig] == 'A' ? 'B' : 'A';
  const auto invalid = deploy(tampered);
  EXPECT_EQ(invalid.status, 401) << invalid.describe();
  EXPECT_NE(invalid.header("www-authenticate").find("invalid_token"), std::string::npos)
      << invalid.header("www-authenticate");

  // A management token is not an API client token for deploy:applications.
  EXPECT_NE(deploy(api->admin_token()).status, 200);
}

}  // namespace
}  // namespace tessera::it
