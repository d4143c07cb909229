// The reader pool's connections: read-only whatever the caller passes, with the page cache the
// store configures (SqliteOptions::reader_cache_kib keeps a million clients' interior pages).
#include "server/store/sqlite/reader_pool.hpp"

#include <sqlite3.h>

#include "server/store/sqlite/connection.hpp"
#include "server/store/statement_counter.hpp"
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::ReaderPool;

class ReaderPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    Connection writer(path(), ConnectionOptions{});
    writer.exec("PRAGMA journal_mode = WAL");
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path path() const { return dir_ / "r.db"; }

  static StoreResult<std::int64_t> scalar(ReaderPool& pool, const char* sql) {
    return pool.read<std::int64_t>(
        [&](Connection& db) -> StoreResult<std::int64_t> { return db.scalar(sql); });
  }

  std::filesystem::path dir_;
};

TEST_F(ReaderPoolTest, ConnectionsGetTheConfiguredPageCache) {
  ReaderPool pool(path(), 2, ConnectionOptions{.cache_kib = 8192});
  // Negative: KiB, as PRAGMA cache_size reports a size set in KiB.
  EXPECT_EQ(*scalar(pool, "PRAGMA cache_size"), -8192);
}

TEST_F(ReaderPoolTest, ZeroKeepsSqlitesDefaultPageCache) {
  ReaderPool pool(path(), 2, ConnectionOptions{});
  EXPECT_EQ(*scalar(pool, "PRAGMA cache_size"), -2000);
}

TEST_F(ReaderPoolTest, ConnectionsAreReadOnlyWhateverTheOptionsSay) {
  ReaderPool pool(path(), 2, ConnectionOptions{.read_only = false});
  EXPECT_EQ(*scalar(pool, "PRAGMA query_only"), 1);
  auto write = scalar(pool, "INSERT INTO t (id) VALUES (1) RETURNING id");
  EXPECT_FALSE(write.ok());
}

// The statistics' global mutex is taken around every SQLite allocation; with them off, SQLite
// counts nothing, so a connection that has read leaves the count at zero.
TEST_F(ReaderPoolTest, SqliteKeepsNoAllocationStatistics) {
  ReaderPool pool(path(), 1, ConnectionOptions{});
  ASSERT_EQ(*scalar(pool, "SELECT count(*) FROM t"), 0);
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

TEST_F(ReaderPoolTest, ReadWrapsTheOperationInBeginAndCommit) {
  ReaderPool pool(path(), 1, ConnectionOptions{});
  const auto before = statements_executed();
  bool in_transaction = false;
  auto read = pool.read<std::int64_t>([&](Connection& db) -> StoreResult<std::int64_t> {
    in_transaction = db.in_transaction();
    return db.scalar("SELECT count(*) FROM t");
  });
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(in_transaction);
  EXPECT_EQ(statements_executed() - before, 3u);  // BEGIN, the query, COMMIT
}

TEST_F(ReaderPoolTest, ReadOneStatementRunsOnlyThatStatement) {
  ReaderPool pool(path(), 1, ConnectionOptions{});
  const auto before = statements_executed();
  bool in_transaction = true;
  auto read =
      pool.read_one_statement<std::int64_t>([&](Connection& db) -> StoreResult<std::int64_t> {
        in_transaction = db.in_transaction();
        return db.scalar("SELECT count(*) FROM t");
      });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, 0);
  EXPECT_FALSE(in_transaction);
  EXPECT_EQ(statements_executed() - before, 1u);
}

TEST_F(ReaderPoolTest, ReadOneStatementSeesWhatWasCommittedBeforeIt) {
  ReaderPool pool(path(), 1, ConnectionOptions{});
  auto count = [&] {
    return pool.read_one_statement<std::int64_t>([](Connection& db) -> StoreResult<std::int64_t> {
      return db.scalar("SELECT count(*) FROM t");
    });
  };
  ASSERT_EQ(*count(), 0);  // the pooled connection has read once, and goes back to the pool
  Connection writer(path(), ConnectionOptions{});
  writer.exec("INSERT INTO t (id) VALUES (1), (2)");
  EXPECT_EQ(*count(), 2);
}

TEST_F(ReaderPoolTest, ReadOneStatementMapsSqliteFailures) {
  ReaderPool pool(path(), 1, ConnectionOptions{});
  auto read =
      pool.read_one_statement<std::int64_t>([](Connection& db) -> StoreResult<std::int64_t> {
        return db.scalar("SELECT count(*) FROM missing_table");
      });
  ASSERT_FALSE(read.ok());
  // The one connection went back to the pool, usable.
  EXPECT_EQ(*scalar(pool, "SELECT count(*) FROM t"), 0);
}

}  // namespace
}  // namespace tessera::store::testing
