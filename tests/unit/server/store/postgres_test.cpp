// What only the PostgreSQL backend has: its migrations table and advisory lock, and outages: the
// database going away under a running store, which must fail fast and heal by itself.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/store/change_hub.hpp"
#include "server/store/migration.hpp"
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using namespace std::chrono_literals;

class Postgres : public StoreTest {
 protected:
  int schema_version() {
    return std::stoi(database_->exec("SELECT max(version) FROM schema_migrations"));
  }

  // Ends every session of this test's database, as a restart or failover would.
  void kill_sessions() {
    database_->exec(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
        "datname = current_database() AND pid <> pg_backend_pid()");
  }
};

TEST_P(Postgres, EmbeddedMigrationsAreNumberedFromOne) {
  const auto migrations = postgres_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i + 1));
  }
  EXPECT_EQ(migrations[0].name, "0001_initial.sql");
}

TEST_P(Postgres, FreshDatabaseIsAtTheLatestVersion) {
  EXPECT_EQ(schema_version(), postgres_migrations().back().version);
  EXPECT_EQ(database_->exec("SELECT relpersistence FROM pg_class WHERE relname = "
                            "'failure_counters'"),
            "u");  // UNLOGGED
}

TEST_P(Postgres, NodesStartingTogetherMigrateOnce) {
  TestDatabase fresh;
  ASSERT_TRUE(fresh.ok());
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (open_postgres_store({.url = fresh.url()})) ++opened;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(opened.load(), 4);
  EXPECT_EQ(fresh.exec("SELECT count(*) FROM schema_migrations"),
            std::to_string(postgres_migrations().size()));
}

TEST_P(Postgres, NewerSchemaIsRefused) {
  store_.reset();
  database_->exec("INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')");
  auto opened = open_postgres_store({.url = postgres_url()});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().reason, OpenFailure::Reason::schema_too_new);
  EXPECT_NE(opened.error().message.find("999"), std::string::npos) << opened.error().message;
  auto migrated = migrate_postgres_database({.url = postgres_url()});
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(migrated.error().reason, OpenFailure::Reason::schema_too_new);
}

TEST_P(Postgres, AnOlderSchemaWaitsForAnExplicitMigrationWhenAsked) {
  store_.reset();
  const int latest = postgres_migrations().back().version;
  // Pretend the last migration has not run; initialize_only (serve) must refuse, not apply it.
  database_->exec("DELETE FROM schema_migrations WHERE version = " + std::to_string(latest));
  if (latest > 1) {
    auto opened = open_postgres_store(
        {.url = postgres_url(), .migrations = MigrationPolicy::initialize_only});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().reason, OpenFailure::Reason::schema_too_old);
    EXPECT_NE(opened.error().message.find("tessera migrate"), std::string::npos);
  } else {
    // With one migration, "older" is the empty database, which serve initializes.
    database_->exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    auto migrated = migrate_postgres_database({.url = postgres_url()});
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    EXPECT_EQ(migrated->from, 0);
    EXPECT_EQ(migrated->to, latest);
  }
  auto again = migrate_postgres_database({.url = postgres_url()});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->to, latest);
  EXPECT_EQ(schema_version(), latest);
}

TEST_P(Postgres, AnUnreachableServerFailsToOpenQuickly) {
  const auto start = std::chrono::steady_clock::now();
  // A loopback port nobody listens on: connection refused at once.
  auto opened = open_postgres_store({.url = "postgresql://tessera@127.0.0.1:1/none"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().reason, OpenFailure::Reason::cannot_open);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_P(Postgres, TheUrlsLibpqSettingsAreHonoured) {
  // The test cluster has no TLS: a URL that demands it must be refused, not quietly downgraded.
  auto opened = open_postgres_store({.url = postgres_url() + "?sslmode=require"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().reason, OpenFailure::Reason::cannot_open);
  EXPECT_NE(opened.error().message.find("SSL"), std::string::npos) << opened.error().message;
  EXPECT_TRUE(open_postgres_store({.url = postgres_url() + "?sslmode=prefer"}).ok());
}

TEST_P(Postgres, KilledSessionsAreReplacedWithoutAFailedCall) {
  const Organization organization = create_organization();
  // Warm the pool with several connections, then kill them all.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i) {
    warm.emplace_back([&] { EXPECT_TRUE(store_->get_organization(organization.id).ok()); });
  }
  for (auto& thread : warm)
    thread.join();
  kill_sessions();
  // The first call finds a dead connection, drops the pool's idle ones and retries on a new one.
  EXPECT_TRUE(store_->get_organization(organization.id).ok());
  EXPECT_TRUE(store_->create_client(new_client(organization.id)).ok());
}

TEST_P(Postgres, TheFeedReconnectsAndAsksForAResync) {
  ChangeLog log;
  auto subscription = store_->subscribe(log.callback());
  const Organization organization = create_organization();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  // The listener's first connection: wait until a change arrives through it.
  ApiClient client = create_client(organization.id);
  while (!log.wait_for(client_changed(client.id), 100ms) &&
         std::chrono::steady_clock::now() < deadline) {
    client = create_client(organization.id);
  }
  ASSERT_TRUE(log.wait_for(client_changed(client.id), 0ms));
  kill_sessions();
  EXPECT_TRUE(log.wait_for(Change{Change::Kind::resync, {}}, 5s));
  // And it listens again.
  const auto resumed_deadline = std::chrono::steady_clock::now() + 5s;
  bool heard = false;
  while (!heard && std::chrono::steady_clock::now() < resumed_deadline) {
    const ApiClient later = create_client(organization.id);
    heard = log.wait_for(client_changed(later.id), 200ms);
  }
  EXPECT_TRUE(heard);
}

// A TCP relay to the database that the test can cut: the network between tessera and PostgreSQL.
class Relay {
 public:
  explicit Relay(std::uint16_t target) : target_(target) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 64);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~Relay() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    cut();
  }
  std::uint16_t port() const { return port_; }
  // Drops every relayed connection and refuses new ones until resume().
  void cut() {
    refusing_ = true;
    std::lock_guard lock(mutex_);
    for (int fd : open_)
      ::shutdown(fd, SHUT_RDWR);
  }
  void resume() { refusing_ = false; }

 private:
  void accept_loop() {
    for (;;) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      if (refusing_) {
        ::close(client);
        continue;
      }
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(target_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        open_.push_back(client);
        open_.push_back(server);
      }
      std::thread([client, server] { pump(client, server); }).detach();
      std::thread([client, server] { pump(server, client); }).detach();
    }
  }
  static void pump(int from, int to) {
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(from, buffer, sizeof buffer);
      // MSG_NOSIGNAL: after cut() the other side is shut down, and a plain write() to it would
      // raise SIGPIPE and kill the whole test process (it did, once, in a CI run).
      if (n <= 0 || ::send(to, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
    }
    ::shutdown(to, SHUT_RDWR);
    ::shutdown(from, SHUT_RDWR);
  }

  std::uint16_t target_;
  std::uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> refusing_{false};
  std::mutex mutex_;
  std::vector<int> open_;  // closed by the OS at exit; a test process is short-lived
  std::thread thread_;
};

std::uint16_t port_of(const std::string& url) {
  const auto at = url.find('@');
  const auto colon = url.find(':', at == std::string::npos ? url.find("://") + 3 : at);
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
}

TEST_P(Postgres, AnOutageFailsFastWithUnavailableAndHealsByItself) {
  Relay relay(port_of(postgres_url()));
  std::string relayed = postgres_url();
  const auto at = relayed.find('@');
  const auto colon = relayed.find(':', at);
  const auto slash = relayed.find('/', colon);
  relayed = relayed.substr(0, colon + 1) + std::to_string(relay.port()) + relayed.substr(slash);
  auto opened = open_postgres_store({.url = relayed});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened;
  const Organization organization = create_organization();
  ASSERT_TRUE(store->get_organization(organization.id).ok());

  relay.cut();
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto result = store->get_organization(organization.id);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error(), StoreError::unavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "call " << i;
  }
  EXPECT_EQ(store->create_organization(new_organization()).error(), StoreError::unavailable);

  relay.resume();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  bool healed = false;
  while (!healed && std::chrono::steady_clock::now() < deadline) {
    healed = store->get_organization(organization.id).ok();
    if (!healed) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(healed);
  EXPECT_TRUE(store->create_organization(new_organization()).ok());
}

INSTANTIATE_TEST_SUITE_P(PostgreSQL, Postgres, ::testing::Values(Backend::postgres), backend_name);

}  // namespace
}  // namespace tessera::store::testing
