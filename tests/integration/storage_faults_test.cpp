// A full disk, a read-only file system and I/O errors under the database (the fail_io.cpp shim
// makes every write and sync under the data directory fail on demand): writes fail with a clear
// 503 + Retry-After in the contract's shape and leave nothing behind, reads and token issuance go
// on, and the server recovers by itself when the space returns. Label: faults.
#include <fstream>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

class StorageFaultsTest : public ServerTest {
 protected:
  ServerOptions server_options() override {
    root_for_flag = std::filesystem::temp_directory_path() /
                    ("tessera-fail-io-" + std::to_string(::getpid()) + "-" +
                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    return {.args = {"--last-used-flush-interval", "1"},
            .env = {{"LD_PRELOAD", fail_io_library().string()},
                    {"IT_FAIL_IO_FLAG", root_for_flag.string()},
                    // Set per server in SetUp (the data directory is only known then).
                    {"IT_FAIL_IO_DIR", "/nonexistent"}}};
  }

  void SetUp() override {
    // The data directory comes with the server: start one to learn it, then restart it with the
    // shim pointed there (same data, same admin credentials).
    ServerTest::SetUp();
    ServerOptions options = server_options();
    options.env["IT_FAIL_IO_DIR"] = server->data_dir().string();
    server->stop();
    server->start(options);
    api->set_admin(api->admin_id(), api->admin_secret());
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove(root_for_flag, ignored);
    ServerTest::TearDown();
  }

  void fail_writes(const std::string& kind) { std::ofstream(root_for_flag) << kind; }
  void restore_writes() { std::filesystem::remove(root_for_flag); }

  static void expect_unavailable(const Response& response, std::string_view what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(response.status, 503) << response.describe();
    EXPECT_EQ(response.header("retry-after"), "1") << response.describe();
    EXPECT_EQ(response.header("content-type"), "application/json");
    const Json body = response.json();
    EXPECT_EQ(body.value("code", 0), 14) << response.describe();  // UNAVAILABLE
    EXPECT_FALSE(body.value("message", "").empty());
    EXPECT_EQ(body.at("details").at(0).value("error_code", ""), "UNAVAILABLE");
  }

  std::filesystem::path root_for_flag;
};

TEST_F(StorageFaultsTest, WritesFailWith503ReadsAndTokensGoOnAndServiceRecovers) {
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const std::string org = "/api/v1/organizations/" + org_id;
  const CreatedClient warm = api->create_client_raw(org_id, kSeedClientBody);
  const CreatedClient cold = api->create_client(org_id, Json{{"name", "cold"}});
  ASSERT_EQ(api->token_post(warm.id(), warm.plain_secret).status, 200);
  const std::string jwks = request(server->port(), "GET", "/keys").body;

  for (const std::string kind : {"ENOSPC", "EROFS", "EIO"}) {
    SCOPED_TRACE(kind);
    const auto counts_before = sqlite_readonly_query(
        server->data_dir() / "tessera.db",
        "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM clients), "
        "(SELECT count(*) FROM secrets), (SELECT count(*) FROM signing_keys)");
    const Json listed_before = api->call("GET", org + "/clients").json().at("total_size");
    fail_writes(kind);

    // Every kind of write: 503 + Retry-After, UNAVAILABLE, never a 500.
    expect_unavailable(api->call("POST", "/api/v1/organizations", Json{{"display_name", "New"}}),
                       "create organization");
    expect_unavailable(api->call("PATCH", org, Json{{"display_name", "Renamed"}}),
                       "update organization");
    expect_unavailable(api->call("POST", org + "/clients", Json{{"name", "new"}}), "create client");
    expect_unavailable(api->call("PATCH", org + "/clients/" + warm.id(), Json{{"name", "x"}}),
                       "update client");
    expect_unavailable(api->call("POST", org + "/clients/" + warm.id() + "/secrets"), "add secret");
    expect_unavailable(api->call("DELETE", org + "/clients/" + cold.id()), "delete client");
    expect_unavailable(api->call("POST", "/api/v1/keys:rotate", Json{{"algorithm", "ES256"}}),
                       "rotate keys");

    // Reads and token issuance go on: the warm client from memory, the cold one from the store.
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(api->token_post(warm.id(), warm.plain_secret).status, 200) << i;
    }
    EXPECT_EQ(api->token_post(cold.id(), cold.plain_secret).status, 200);
    EXPECT_EQ(api->token_post(warm.id(), "wrong").status, 401);
    EXPECT_EQ(api->call("GET", org).status, 200);
    EXPECT_EQ(api->call("GET", org + "/clients").json().at("total_size"), listed_before);
    EXPECT_EQ(api->call("GET", org + "/clients/" + warm.id()).json().at("client").at("name"),
              "GitHub Actions Deployment Service");
    EXPECT_EQ(api->call("GET", "/api/v1/keys").status, 200);
    EXPECT_EQ(request(server->port(), "GET", "/keys").body, jwks);
    EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
    // A new management token (the environment client) still comes out.
    api->set_admin(api->admin_id(), api->admin_secret());
    EXPECT_EQ(api->call("GET", "/api/v1/organizations").status, 200);
    // The last-use flush fails meanwhile; the server says so and keeps going.
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(api->token_post(warm.id(), warm.plain_secret).status, 200);

    // Space returns: the very next writes succeed (no restart, no operator action).
    restore_writes();
    Response created;
    for (const auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline;) {
      created = api->call("POST", "/api/v1/organizations", Json{{"display_name", "After"}});
      if (created.status == 201) break;
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(created.status, 201) << created.describe();
    const CreatedClient later = api->create_client(org_id, Json{{"name", "later " + kind}});
    EXPECT_EQ(api->token_post(later.id(), later.plain_secret).status, 200);
    // The failed writes left nothing behind: exactly the one organization and client added.
    const auto counts_after = sqlite_readonly_query(
        server->data_dir() / "tessera.db",
        "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM clients), "
        "(SELECT count(*) FROM secrets), (SELECT count(*) FROM signing_keys)");
    auto numbers = [](const std::string& row) {
      std::vector<long> out;
      std::size_t start = 0;
      while (start <= row.size()) {
        const auto bar = std::min(row.find('|', start), row.size());
        out.push_back(std::stol(row.substr(start, bar - start)));
        start = bar + 1;
      }
      return out;
    };
    const auto before = numbers(counts_before.at(0));
    const auto after = numbers(counts_after.at(0));
    EXPECT_EQ(after.at(0), before.at(0) + 1);  // organizations
    EXPECT_EQ(after.at(1), before.at(1) + 1);  // clients
    EXPECT_EQ(after.at(2), before.at(2) + 1);  // secrets: the new client's only
    EXPECT_EQ(after.at(3), before.at(3));      // no key from the failed rotation
    EXPECT_EQ(api->call("GET", org).json().at("organization").at("display_name"), "Acme Corp");
  }

  // The file is sound and everything acknowledged survives a crash right after.
  EXPECT_EQ(sqlite_readonly_query(server->data_dir() / "tessera.db", "PRAGMA integrity_check"),
            std::vector<std::string>{"ok"});
  server->kill9();
  restore_writes();
  server->start();
  EXPECT_EQ(sqlite_readonly_query(server->data_dir() / "tessera.db", "PRAGMA integrity_check"),
            std::vector<std::string>{"ok"});
  EXPECT_EQ(api->token_post(warm.id(), warm.plain_secret).status, 200);
  EXPECT_EQ(api->token_post(cold.id(), cold.plain_secret).status, 200);
  EXPECT_EQ(request(server->port(), "GET", "/keys").body, jwks);
  // The failures are in the log, without a stack of 500s.
  const std::string logs = server->all_stderr();
  EXPECT_EQ(logs.find("handler for"), std::string::npos) << logs;
  EXPECT_NE(logs.find("could not record secret last-use times"), std::string::npos);
}

}  // namespace
}  // namespace tessera::it
