// kill -9 in a loop while clients, secrets and signing-key rotations are written concurrently.
// After every kill, before the restart, the database file (opened read-only) passes
// PRAGMA integrity_check and its foreign-key check, holds every write acknowledged before the kill,
// and nothing in it is half-created (a client without a secret, a secret without a client, an
// organization whose client count disagrees). After the restart every acknowledged secret
// authenticates, the active signing key is the same, and the JWKS is the one from before plus
// the rotations that were acknowledged (or in flight: a rotation killed before its answer may or
// may not have committed, but never in part). Label: faults.
//
// Bounded: TESSERA_CRASH_LOOP_ITERATIONS (default 100) kills or TESSERA_CRASH_LOOP_SECONDS
// (default 75) of looping, whichever comes first; at least 10 kills must fit.
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long env_number(const char* name, long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtol(value, nullptr, 10) : fallback;
}

// The numeric part of "<prefix>_<n>", the row id in the SQLite file.
std::string row_id(const std::string& id) {
  return id.substr(id.find('_') + 1);
}

std::set<std::string> column(const std::filesystem::path& db, const std::string& sql) {
  const auto rows = sqlite_readonly_query(db, sql);
  return {rows.begin(), rows.end()};
}

std::set<std::string> kids_of(const std::string& jwks) {
  std::set<std::string> kids;
  // Named: a range-for over a member of a temporary would dangle (before C++23).
  const Json document = Json::parse(jwks);
  for (const auto& key : document.at("keys"))
    kids.insert(key.at("kid").get<std::string>());
  return kids;
}

struct AckedSecret {
  std::string client_id;
  std::string secret_id;
  std::string plain;
};

// What the writers were told (acknowledged) and what they sent without an answer.
struct Ledger {
  std::mutex mutex;
  std::vector<AckedSecret> secrets;       // every acknowledged secret, oldest first
  std::vector<std::string> clients;       // every acknowledged client
  std::vector<std::string> rotated_kids;  // acknowledged rotations of this iteration
  int rotations_sent = 0;                 // of this iteration, answered or not
};

class CrashLoopTest : public ServerTest {
 protected:
  // Keys rotated here are published at once but sign only after the publish delay (300 s), so the
  // active key must never change in this test.
  ServerOptions server_options() override { return {.args = {"--key-publish-delay", "300"}}; }
};

TEST_F(CrashLoopTest, AcknowledgedWritesSurviveKillNineInALoop) {
  const long max_iterations = env_number("TESSERA_CRASH_LOOP_ITERATIONS", 100);
  const auto budget = std::chrono::seconds(env_number("TESSERA_CRASH_LOOP_SECONDS", 75));
  const std::filesystem::path db = server->data_dir() / "tessera.db";
  const std::string org_id = api->create_organization().at("id").get<std::string>();
  const std::string clients_path = "/api/v1/organizations/" + org_id + "/clients";
  std::mt19937 random(20251129);

  Ledger ledger;
  const auto start = Clock::now();
  long iterations = 0;
  long acknowledged_writes = 0;
  long unanswered_writes = 0;
  while (iterations < max_iterations && Clock::now() - start < budget) {
    ++iterations;
    SCOPED_TRACE("iteration " + std::to_string(iterations));
    const std::string jwks_before = request(server->port(), "GET", "/keys").body;
    const std::string token = api->admin_token();
    const std::string active_kid = decode_jwt(token).header.at("kid").get<std::string>();
    {
      std::lock_guard lock(ledger.mutex);
      ledger.rotated_kids.clear();
      ledger.rotations_sent = 0;
    }
    const std::size_t secrets_before = ledger.secrets.size();

    std::atomic<bool> killed{false};
    std::atomic<long> acked{0};
    std::atomic<long> unanswered{0};
    // Sends one write; nullopt when the server died before answering.
    auto write = [&](std::string_view method, const std::string& path,
                     const std::optional<Json>& body) -> std::optional<Response> {
      try {
        Response response = api->call_as(token, method, path, body);
        if (response.status == 201) {
          ++acked;
          return response;
        }
        if (!killed) ADD_FAILURE() << method << " " << path << ": " << response.describe();
      } catch (const std::exception&) {
        if (!killed) ADD_FAILURE() << method << " " << path << " failed before the kill";
        ++unanswered;
      }
      return std::nullopt;
    };
    auto client_writer = [&](int writer) {
      for (int n = 0; !killed; ++n) {
        const auto created =
            write("POST", clients_path,
                  Json{{"name", "w" + std::to_string(writer) + "-" + std::to_string(n)},
                       {"scopes", Json::array({"read:x"})}});
        if (!created) return;
        const Json body = created->json();
        const std::string id = body.at("client").at("client_id").get<std::string>();
        std::lock_guard lock(ledger.mutex);
        ledger.clients.push_back(id);
        ledger.secrets.push_back({id,
                                  body.at("client").at("secrets").at(0).at("id").get<std::string>(),
                                  body.at("plain_secret").get<std::string>()});
      }
    };
    auto secret_writer = [&] {
      // Fills clients of its own up to the limit of five secrets each.
      while (!killed) {
        const auto created = write("POST", clients_path, Json{{"name", "secrets"}});
        if (!created) return;
        const Json body = created->json();
        const std::string id = body.at("client").at("client_id").get<std::string>();
        {
          std::lock_guard lock(ledger.mutex);
          ledger.clients.push_back(id);
          ledger.secrets.push_back(
              {id, body.at("client").at("secrets").at(0).at("id").get<std::string>(),
               body.at("plain_secret").get<std::string>()});
        }
        for (int i = 0; i < 4 && !killed; ++i) {
          const auto added = write("POST", clients_path + "/" + id + "/secrets", std::nullopt);
          if (!added) return;
          const Json secret = added->json();
          std::lock_guard lock(ledger.mutex);
          ledger.secrets.push_back({id, secret.at("secret").at("id").get<std::string>(),
                                    secret.at("plain_secret").get<std::string>()});
        }
      }
    };
    const auto kill_after = std::chrono::milliseconds(random() % 120);
    auto rotator = [&, rotate_after = std::chrono::milliseconds(random() % 120)] {
      std::this_thread::sleep_for(rotate_after);
      if (killed) return;
      {
        std::lock_guard lock(ledger.mutex);
        ++ledger.rotations_sent;
      }
      const auto rotated = write("POST", "/api/v1/keys:rotate", Json{{"algorithm", "ES256"}});
      if (!rotated) return;
      std::lock_guard lock(ledger.mutex);
      ledger.rotated_kids.push_back(rotated->json().at("key").at("id").get<std::string>());
    };
    std::vector<std::thread> writers;
    writers.emplace_back(client_writer, 1);
    writers.emplace_back(client_writer, 2);
    writers.emplace_back(secret_writer);
    writers.emplace_back(rotator);
    // Kill once the writers are under way (one write acknowledged), at a random moment after.
    for (const auto deadline = Clock::now() + 5s; acked == 0 && Clock::now() < deadline;)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(kill_after);
    killed = true;
    server->kill9();
    for (auto& t : writers)
      t.join();
    acknowledged_writes += acked;
    unanswered_writes += unanswered;

    // The file as the crash left it, read-only.
    ASSERT_EQ(sqlite_readonly_query(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    ASSERT_TRUE(sqlite_readonly_query(db, "PRAGMA foreign_key_check").empty());
    ASSERT_EQ(sqlite_readonly_query(db,
                                    "SELECT count(*) FROM clients c WHERE NOT EXISTS "
                                    "(SELECT 1 FROM secrets s WHERE s.client_id = c.id)"),
              std::vector<std::string>{"0"})
        << "a client without a secret";
    ASSERT_EQ(sqlite_readonly_query(db,
                                    "SELECT count(*) FROM secrets s WHERE NOT EXISTS "
                                    "(SELECT 1 FROM clients c WHERE c.id = s.client_id)"),
              std::vector<std::string>{"0"})
        << "a secret without a client";
    ASSERT_EQ(sqlite_readonly_query(db,
                                    "SELECT count(*) FROM organizations o WHERE client_count "
                                    "!= (SELECT count(*) FROM clients c WHERE "
                                    "c.organization_id = o.id)"),
              std::vector<std::string>{"0"})
        << "an organization's client count disagrees with its clients";
    ASSERT_EQ(sqlite_readonly_query(db,
                                    "SELECT count(*) FROM clients c WHERE (SELECT count(*) "
                                    "FROM secrets s WHERE s.client_id = c.id) > 5"),
              std::vector<std::string>{"0"});
    const auto client_rows = column(db, "SELECT id FROM clients");
    const auto secret_rows = column(db, "SELECT id FROM secrets");
    const auto key_rows = column(db, "SELECT id FROM signing_keys");
    std::vector<AckedSecret> fresh;
    std::vector<std::string> rotated;
    int rotations_sent = 0;
    {
      std::lock_guard lock(ledger.mutex);
      for (const auto& id : ledger.clients) {
        ASSERT_TRUE(client_rows.contains(row_id(id))) << "acknowledged client lost: " << id;
      }
      for (const auto& s : ledger.secrets) {
        ASSERT_TRUE(secret_rows.contains(row_id(s.secret_id)))
            << "acknowledged secret lost: " << s.secret_id;
      }
      for (const auto& kid : ledger.rotated_kids) {
        ASSERT_TRUE(key_rows.contains(row_id(kid))) << "acknowledged key lost: " << kid;
      }
      fresh.assign(ledger.secrets.begin() + static_cast<std::ptrdiff_t>(secrets_before),
                   ledger.secrets.end());
      rotated = ledger.rotated_kids;
      rotations_sent = ledger.rotations_sent;
    }

    server->start();
    // Signing: same active key; the JWKS is the old one plus at most the rotations sent, and
    // every acknowledged rotation is in it.
    api->set_admin(api->admin_id(), api->admin_secret());
    EXPECT_EQ(decode_jwt(api->admin_token()).header.at("kid").get<std::string>(), active_kid);
    const std::string jwks_after = request(server->port(), "GET", "/keys").body;
    const auto before = kids_of(jwks_before);
    const auto after = kids_of(jwks_after);
    if (rotations_sent == 0) {
      EXPECT_EQ(jwks_after, jwks_before) << "JWKS changed without a rotation";
    } else {
      for (const auto& kid : before)
        EXPECT_TRUE(after.contains(kid)) << "published key lost: " << kid;
      for (const auto& kid : rotated)
        EXPECT_TRUE(after.contains(kid)) << "acknowledged rotation not published: " << kid;
      EXPECT_LE(after.size(), before.size() + static_cast<std::size_t>(rotations_sent));
    }
    // Every secret acknowledged in this iteration authenticates, and a sample of older ones.
    std::vector<AckedSecret> check = fresh;
    for (int i = 0; i < 3 && secrets_before > 0; ++i)
      check.push_back(ledger.secrets[random() % secrets_before]);
    for (const auto& s : check) {
      const Response token_response = api->token_post(s.client_id, s.plain);
      ASSERT_EQ(token_response.status, 200)
          << s.client_id << " " << s.secret_id << ": " << token_response.describe();
    }
  }

  // At the end, every acknowledged secret of the whole run authenticates.
  for (const auto& s : ledger.secrets) {
    ASSERT_EQ(api->token_post(s.client_id, s.plain).status, 200) << s.secret_id;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "[ crash loop ] " << iterations << " kills in " << seconds << " s, "
            << acknowledged_writes << " writes acknowledged, " << unanswered_writes
            << " cut off by the kill, " << ledger.secrets.size() << " secrets checked\n";
  EXPECT_GE(iterations, std::min(10L, max_iterations)) << "too few kills fit in the time budget";
  EXPECT_GE(acknowledged_writes, iterations) << "the writers hardly wrote anything";
}

}  // namespace
}  // namespace tessera::it
