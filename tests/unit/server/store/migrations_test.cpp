#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "server/store/addresses.hpp"
#include "server/store/migration.hpp"
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

// Runs one statement on the database file outside the store.
std::int64_t raw_scalar(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// The SQLite file itself: its version pragma, journal mode and file modes.
using Migrations = StoreTest;

TEST_P(Migrations, EmbeddedFilesAreNumberedFromOne) {
  const auto migrations = sqlite_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i + 1));
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "0001_initial.sql");
}

TEST_P(Migrations, FreshDatabaseIsAtTheLatestVersion) {
  const int latest = sqlite_migrations().back().version;
  EXPECT_EQ(raw_scalar(db_path(), "PRAGMA user_version"), latest);
  EXPECT_EQ(raw_scalar(db_path(),
                       "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                       "name IN ('organizations', 'clients', 'secrets', "
                       "'signing_keys', 'settings', 'counters')"),
            6);
}

TEST_P(Migrations, UsesWalMode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_P(Migrations, ReopeningKeepsDataAndVersion) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(*store_->get_organization(organization.id), organization);
  EXPECT_EQ(*store_->get_client(client.id), client);
  EXPECT_EQ(raw_scalar(db_path(), "PRAGMA user_version"), sqlite_migrations().back().version);
}

// Version 3 moved last_used_time out of secrets: a version 2 database keeps its times.
TEST_P(Migrations, Version3KeepsTheLastUsedTimesOfAVersion2Database) {
  const Organization organization = create_organization();
  const ApiClient used = create_client(organization.id, "used");
  const ApiClient unused = create_client(organization.id, "unused");
  const domain::Timestamp when = domain::from_unix_micros(1'700'000'000'123'456);
  store_.reset();
  // The version 2 layout: the column in secrets, no secret_uses.
  raw_scalar(db_path(), "ALTER TABLE secrets ADD COLUMN last_used_time INTEGER");
  raw_scalar(db_path(), "UPDATE secrets SET last_used_time = 1700000000123456 WHERE client_id = " +
                            std::to_string(*number_of(IdKind::api_client, used.id)));
  raw_scalar(db_path(), "DROP TABLE secret_uses");
  raw_scalar(db_path(), "PRAGMA user_version = 2");

  reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->get_client(used.id)->secrets[0].last_used_time, when);
  EXPECT_EQ(store_->get_client(unused.id)->secrets[0].last_used_time, std::nullopt);
  EXPECT_EQ(raw_scalar(db_path(), "PRAGMA user_version"), sqlite_migrations().back().version);
  EXPECT_EQ(raw_scalar(db_path(),
                       "SELECT count(*) FROM pragma_table_info('secrets') "
                       "WHERE name = 'last_used_time'"),
            0);
}

// The token endpoint's cold lookup reads a client's secrets from this index alone (version 4).
std::vector<std::string> index_columns(const std::filesystem::path& path,
                                       const std::string& index) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(stmt, 1, index.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> columns;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return columns;
}

const std::vector<std::string> kCoveringSecretColumns{"client_id", "id", "hash", "status",
                                                      "expire_time"};

TEST_P(Migrations, SecretsIndexCarriesEveryColumnOfTheCredentialsLookup) {
  EXPECT_EQ(index_columns(db_path(), "secrets_by_client"), kCoveringSecretColumns);
}

TEST_P(Migrations, Version4RebuildsTheSecretsIndexOfAVersion3Database) {
  const Organization organization = create_organization();
  const ApiClient client = create_client(organization.id);
  store_.reset();
  raw_scalar(db_path(), "DROP INDEX secrets_by_client");
  raw_scalar(db_path(), "CREATE INDEX secrets_by_client ON secrets (client_id, id)");
  raw_scalar(db_path(), "PRAGMA user_version = 3");

  reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(raw_scalar(db_path(), "PRAGMA user_version"), 4);
  EXPECT_EQ(index_columns(db_path(), "secrets_by_client"), kCoveringSecretColumns);
  auto credentials = store_->get_client_credentials(client.id);
  ASSERT_TRUE(credentials.ok());
  ASSERT_EQ(credentials->secrets.size(), 1u);
  EXPECT_EQ(credentials->secrets[0].id, client.secrets[0].id);
  EXPECT_EQ(credentials->secrets[0].hash, client.secrets[0].hash);
}

TEST_P(Migrations, NewerSchemaIsRefused) {
  store_.reset();
  raw_scalar(db_path(), "PRAGMA user_version = 999");
  auto opened = open_sqlite_store(SqliteOptions{.path = db_path()});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().reason, OpenFailure::Reason::schema_too_new);
  EXPECT_NE(opened.error().message.find("999"), std::string::npos) << opened.error().message;
}

TEST_P(Migrations, ANonDatabaseFileIsRefused) {
  store_.reset();
  const auto path = dir_ / "junk.db";
  std::ofstream(path) << std::string(4096, 'x');
  auto opened = open_sqlite_store(SqliteOptions{.path = path});
  ASSERT_FALSE(opened.ok());
  EXPECT_FALSE(opened.error().message.empty());
}

TEST_P(Migrations, CreatesPrivateDirectoriesAndFiles) {
  EXPECT_EQ(mode_of(db_path().parent_path()), 0700u);
  EXPECT_EQ(mode_of(db_path()), 0600u);
  create_organization();  // makes sure the WAL exists
  EXPECT_EQ(mode_of(db_path().string() + "-wal"), 0600u);
}

TEST_P(Migrations, UnwritableLocationFailsToOpen) {
  auto opened = open_sqlite_store(SqliteOptions{.path = "/proc/tessera/nope.db"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().reason, OpenFailure::Reason::cannot_open);
}

INSTANTIATE_TEST_SUITE_P(SQLite, Migrations, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace
}  // namespace tessera::store::testing
