// Secrets never at rest in clear: after a run that created clients and secrets, got tokens and
// failed to get some, no plain secret (nor the admin secret) is in any file of the data directory
// (database, -wal, -shm, master key) or in the logs, and neither is the signing private key.
#include <sys/stat.h>

#include <thread>

#include "integration/test_support.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

class AtRestTest : public ServerTest {
 protected:
  // Everything the server may log, including per-request traces, and last-use times flushed
  // every second (so that secret rows are rewritten during the run).
  ServerOptions server_options() override {
    return {.args = {"--log-level", "trace", "--log-format", "json", "--last-used-flush-interval",
                     "1"}};
  }

  // Names every secret in `needles` found in `files`.
  static std::vector<std::string> leaks(const std::vector<std::filesystem::path>& files,
                                        const std::vector<std::string>& needles) {
    std::vector<std::string> found;
    for (const auto& file : files) {
      for (const auto& needle : needles) {
        if (file_contains(file, needle)) found.push_back(file.filename().string() + ": " + needle);
      }
    }
    return found;
  }
};

TEST_F(AtRestTest, NoPlainSecretOrPrivateKeyInTheDataDirectoryOrLogs) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient seed = api->create_client_raw(org_id, kSeedClientBody);
  const std::string second =
      api->add_secret(org_id, seed.id()).at("plain_secret").get<std::string>();
  const CreatedClient other = api->create_client(org_id, Json{{"name", "other"}});
  std::vector<std::string> secrets{api->admin_secret(), seed.plain_secret, second,
                                   other.plain_secret};

  // Use them every way, including ways that fail and ways that put the secret where it must not
  // be (the query string), so that a log line quoting the request would show it.
  ASSERT_EQ(api->token_post(seed.id(), seed.plain_secret).status, 200);
  ASSERT_EQ(api->token_basic(seed.id(), second).status, 200);
  ASSERT_EQ(api->token_post(other.id(), other.plain_secret, "nope").status, 400);
  ASSERT_EQ(api->token_post("m2morg_1000000000000001", other.plain_secret).status, 401);
  ASSERT_EQ(api->token_post(seed.id(), other.plain_secret).status, 401);
  ASSERT_EQ(api->token_basic(api->admin_id(), seed.plain_secret).status, 401);
  ASSERT_EQ(request(server->port(), "POST",
                    "/oauth/token?client_id=" + seed.id() + "&client_secret=" + seed.plain_secret,
                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                    "grant_type=client_credentials")
                .status,
            400);
  ASSERT_EQ(api->token_form("grant_type=client_credentials&client_id=" + other.id() +
                            "&client_secret=" + other.plain_secret +
                            "&client_secret=" + other.plain_secret)
                .status,
            400);
  // A management call with a secret where a token belongs.
  ASSERT_EQ(api->call_as(second, "GET", "/api/v1/organizations").status, 401);
  // Rotate the first secret away: deleted rows must not leave a plain copy either.
  require_status(
      api->call("DELETE", "/api/v1/organizations/" + org_id + "/clients/" + seed.id() +
                              "/secrets/" +
                              seed.client.at("secrets").at(0).at("id").get<std::string>()),
      200, "delete secret");
  std::this_thread::sleep_for(1500ms);  // at least one last-use flush

  // The random part alone must not be there either (e.g. stored without its prefix).
  for (std::size_t i = 0, n = secrets.size(); i < n; ++i) {
    const auto underscore = secrets[i].find('_');
    if (underscore != std::string::npos && secrets[i].size() - underscore > 20) {
      secrets.push_back(secrets[i].substr(underscore + 1));
    }
  }

  const Json jwks = request(server->port(), "GET", "/keys").json();
  const auto modulus = jose::base64url_decode(jwks.at("keys").at(0).at("n").get<std::string>());
  ASSERT_TRUE(modulus.has_value());
  // What a private key in clear would show: a PEM header, a private JWK member, or the DER
  // encoding (which embeds the modulus in binary; the stored public JWK has it only in base64url).
  const std::vector<std::string> private_key_marks{"PRIVATE KEY", "\"d\":\"", "\"d\": \"",
                                                   modulus->substr(0, 64)};

  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    const auto data_files = server->storage_files();
    // The scan sees the database: the client's name, which is not secret, is there in clear.
    bool names_visible = false;
    for (const auto& file : data_files) {
      names_visible |= file_contains(file, "GitHub Actions Deployment Service");
    }
    EXPECT_TRUE(names_visible) << "the client's name is in no data file: the scan reads nothing";
    EXPECT_EQ(leaks(data_files, secrets), std::vector<std::string>{});
    EXPECT_EQ(leaks(data_files, private_key_marks), std::vector<std::string>{});
    EXPECT_EQ(leaks(server->log_files(), secrets), std::vector<std::string>{});
    EXPECT_EQ(leaks(server->log_files(), private_key_marks), std::vector<std::string>{});
    return data_files;
  };

  // While running: the WAL holds the recent writes.
  const auto running_files = check("while running");
  if (!on_postgres()) {
    bool has_wal = false;
    for (const auto& file : running_files)
      has_wal |= file.filename() == "tessera.db-wal";
    EXPECT_TRUE(has_wal) << "expected a SQLite WAL while the server runs";
  }

  // After a graceful stop (checkpoint) and after a crash.
  EXPECT_EQ(server->stop(), 0);
  check("after SIGTERM");
  server->start();
  ASSERT_EQ(api->token_post(seed.id(), second).status, 200);
  server->kill9();
  check("after kill -9");

  // The master key file is private to the server's user.
  struct stat info {};
  ASSERT_EQ(::stat((server->data_dir() / "master.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace tessera::it
