// A real `tessera serve` (the built binary) on a free loopback port with its own data directory,
// for the management client, CLI, example and install tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "tessera/client/client.hpp"

namespace tessera::testing {

// Fixed environment credentials, for servers started with fixed_admin.
inline constexpr const char* kAdminId = "skc_4242";
inline constexpr const char* kAdminSecret = "test-admin-secret-0123456789abcdefghijklmnop";

struct LiveServerOptions {
  std::vector<std::string> args{};  // extra `tessera serve` flags
  std::map<std::string, std::string> env{};
  bool fixed_admin = false;  // --admin-client-id kAdminId with kAdminSecret
};

class LiveServer {
 public:
  // Starts the server and waits until it listens; throws std::runtime_error with its output when
  // it does not come up.
  explicit LiveServer(LiveServerOptions options = {});
  ~LiveServer();
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  // SIGTERM and wait. start() again brings it back on the same port (so the same issuer), with
  // new options; the credentials stay those of the first start.
  void stop();
  void start(LiveServerOptions options);

  const std::string& url() const { return url_; }
  const std::string& client_id() const { return client_id_; }
  const std::string& client_secret() const { return client_secret_; }
  const std::filesystem::path& root() const { return dir_.path(); }

  client::Client client(client::ClientOptions options = {}) const {
    return client::Client(url_, client_id_, client_secret_, std::move(options));
  }

 private:
  std::string output() const;

  TempDir dir_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::string port_ = "0";
  std::string url_;
  std::string client_id_;
  std::string client_secret_;
};

// An organization and a client registered the seed's way, for tests that need one.
struct SeedClient {
  std::string organization_id;
  client::CreatedClient created;
};
SeedClient register_seed_client(const client::Client& tessera);

}  // namespace tessera::testing
