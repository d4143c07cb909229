// Shared set-up for the store tests: a fresh store of the backend under test (a SQLite file in a
// temporary directory, or a new PostgreSQL database), and builders for valid records. Suites that
// hold for every backend are TEST_P over StoreTest and instantiated with TESSERA_ALL_BACKENDS.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "postgres_test_db.hpp"
#include "server/domain/ids.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace tessera::store::testing {

using domain::ApiClient;
using domain::IdKind;
using domain::Organization;
using domain::Secret;

inline std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tessera-store-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// Every byte of the hash depends on `seed`, so distinct secrets have distinct hashes.
inline domain::SecretHash hash_of(std::uint8_t seed) {
  domain::SecretHash hash{};
  for (std::size_t i = 0; i < hash.size(); ++i)
    hash[i] = static_cast<std::uint8_t>(seed + i);
  return hash;
}

enum class Backend { sqlite, postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

// Collects what a subscription hears, and waits for it: PostgreSQL delivers asynchronously.
class ChangeLog {
 public:
  std::function<void(const Change&)> callback() {
    return [this](const Change& change) {
      std::lock_guard lock(mutex_);
      changes_.push_back(change);
      arrived_.notify_all();
    };
  }
  // Waits until `change` has arrived (true) or `timeout` passed (false).
  bool wait_for(const Change& change,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] {
      return std::find(changes_.begin(), changes_.end(), change) != changes_.end();
    });
  }
  std::vector<Change> changes() {
    std::lock_guard lock(mutex_);
    return changes_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    changes_.clear();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Change> changes_;
};

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    if (backend() == Backend::postgres) {
      database_ = std::make_unique<TestDatabase>();
      if (!database_->ok()) GTEST_FAIL() << "no PostgreSQL database";
    }
    store_ = open_store();
  }

  void TearDown() override {
    store_.reset();
    database_.reset();
    std::filesystem::remove_all(dir_);
  }

  Backend backend() const { return GetParam(); }
  std::filesystem::path db_path() const { return dir_ / "data" / "tessera.db"; }
  const std::string& postgres_url() const { return database_->url(); }

  std::unique_ptr<Store> open_store() {
    auto opened = backend() == Backend::sqlite
                      ? open_sqlite_store(SqliteOptions{.path = db_path()})
                      : open_postgres_store(PostgresOptions{.url = postgres_url()});
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  // Rows in `table`, read beside the store (to see what a cascade removed).
  std::int64_t count_rows(const std::string& table) {
    const std::string sql = "SELECT count(*) FROM " + table;
    if (backend() == Backend::postgres) return std::stoll(database_->exec(sql));
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    std::int64_t count = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return count;
  }

  void reopen() {
    store_.reset();
    store_ = open_store();
  }

  Organization new_organization(std::string display_name = "Megasoft") {
    Organization organization;
    organization.id = ids_.next(IdKind::organization);
    organization.display_name = std::move(display_name);
    organization.metadata = {{"plan", "enterprise"}};
    organization.create_time = organization.update_time = domain::now();
    return organization;
  }

  Organization create_organization(std::string display_name = "Megasoft") {
    auto created = store_->create_organization(new_organization(std::move(display_name)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? *created : Organization{};
  }

  Secret new_secret(const std::string& client_id, std::uint8_t seed = 1) {
    Secret secret;
    secret.id = ids_.next(IdKind::secret);
    secret.client_id = client_id;
    secret.hash = hash_of(seed);
    secret.suffix = "Ab3_";
    secret.create_time = secret.update_time = domain::now();
    return secret;
  }

  // An m2morg_ client of `organization_id`, or an skc_ client when it is empty.
  ApiClient new_client(const std::string& organization_id, std::string name = "deployer") {
    ApiClient client;
    if (organization_id.empty()) {
      client.id = ids_.next(IdKind::environment_client);
    } else {
      client.id = ids_.next(IdKind::api_client);
      client.organization_id = organization_id;
    }
    client.name = std::move(name);
    client.description = "Deploys applications";
    client.scopes = {"deploy:applications", "read:deployments"};
    client.audience = {"deployment-api.acmecorp.com"};
    client.custom_claims = {{"github_repository", "acmecorp/inventory-service"},
                            {"environment", "production_us"}};
    client.expiry_seconds = 3600;
    client.create_time = client.update_time = domain::now();
    client.secrets = {new_secret(client.id)};
    return client;
  }

  ApiClient create_client(const std::string& organization_id, std::string name = "deployer") {
    auto created = store_->create_client(new_client(organization_id, std::move(name)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? *created : ApiClient{};
  }

  domain::IdGenerator ids_;
  std::filesystem::path dir_;
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Store> store_;
};

#define TESSERA_ALL_BACKENDS(suite)                                                                \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values(Backend::sqlite, Backend::postgres), \
                           backend_name)

}  // namespace tessera::store::testing
