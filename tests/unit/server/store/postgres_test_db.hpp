// A fresh PostgreSQL database per test, on the cluster that ctest starts (tests/support/
// pg_test_cluster.sh, fixture "postgres", whose directory is TESSERA_TEST_POSTGRES_DIR) or on any
// server named by TESSERA_TEST_POSTGRES_URL.
// Without either the PostgreSQL tests fail: they never skip silently.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace tessera::store::testing {

// The URL of a database the tests may create databases through; "" when none is configured.
inline std::string postgres_admin_url() {
  if (const char* url = std::getenv("TESSERA_TEST_POSTGRES_URL"); url && *url) return url;
  if (const char* dir = std::getenv("TESSERA_TEST_POSTGRES_DIR"); dir && *dir) {
    std::ifstream in(std::string(dir) + "/url");
    std::string url;
    std::getline(in, url);
    return url;
  }
  return {};
}

// `url` with its database name replaced: postgres://user@host:port/<name>?params.
inline std::string with_database(const std::string& url, const std::string& name) {
  const auto authority = url.find("://");
  const auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  const auto query = url.find('?');
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + name;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

// Runs one statement on `url`; returns the first column of the first row, or "" (and records a
// test failure when the statement fails).
inline std::string postgres_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  // "database does not exist, skipping" and the like are not news.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  std::string value;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
    } else if (PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return value;
}

// Creates a uniquely named database and drops it (with any sessions still in it) when destroyed.
class TestDatabase {
 public:
  TestDatabase() {
    admin_ = postgres_admin_url();
    if (admin_.empty()) {
      ADD_FAILURE() << "no PostgreSQL for the tests: run them through ctest (which starts a "
                       "throwaway cluster) or set TESSERA_TEST_POSTGRES_URL";
      return;
    }
    static std::atomic<int> counter{0};
    name_ = "tessera_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    postgres_exec(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    postgres_exec(admin_, "CREATE DATABASE " + name_);
    url_ = with_database(admin_, name_);
  }
  ~TestDatabase() {
    if (!name_.empty()) postgres_exec(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  bool ok() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  std::string exec(const std::string& sql) const { return postgres_exec(url_, sql); }

 private:
  std::string admin_;
  std::string name_;
  std::string url_;
};

}  // namespace tessera::store::testing
