// The writer's failure handling, driven below the Store interface: a full disk, a lock held by
// another process. Both must come out as unavailable (never "database is locked"), and the store
// must work again once the cause is gone.
#include <sqlite3.h>

#include "server/store/sqlite/connection.hpp"
#include "server/store/sqlite/writer.hpp"
#include "store_fixture.hpp"

namespace tessera::store::testing {
namespace {

using sqlite::Connection;
using sqlite::Writer;

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    auto connection = std::make_unique<Connection>(
        dir_ / "w.db", sqlite::ConnectionOptions{.busy_timeout = std::chrono::milliseconds(100)});
    connection->exec("PRAGMA journal_mode = WAL");
    connection->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    connection_ = connection.get();
    writer_ = std::make_unique<Writer>(std::move(connection), 64);
  }
  void TearDown() override {
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }

  StoreResult<void> insert(std::int64_t id, std::size_t bytes) {
    return writer_->write<void>([&](Connection& db) -> StoreResult<void> {
      const std::vector<std::uint8_t> blob(bytes, 0xAB);
      db.query("INSERT INTO t (id, v) VALUES (?1, ?2)", id, sqlite::Blob{blob}).run();
      return {};
    });
  }

  // Runs `sql` on the writer's connection, on the writer thread.
  void configure(const char* sql) {
    ASSERT_TRUE(writer_
                    ->write<void>([&](Connection& db) -> StoreResult<void> {
                      db.scalar(sql);
                      return {};
                    })
                    .ok());
  }

  std::filesystem::path dir_;
  Connection* connection_ = nullptr;
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, DiskFullIsUnavailableAndRecovers) {
  ASSERT_TRUE(insert(1, 10).ok());
  configure("PRAGMA max_page_count = 8");  // a database that cannot grow: SQLITE_FULL
  auto full = insert(2, 256 * 1024);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), StoreError::unavailable);
  configure("PRAGMA max_page_count = 1000000");
  EXPECT_TRUE(insert(3, 256 * 1024).ok());
}

TEST_F(WriterTest, ALockHeldByAnotherProcessIsUnavailableNotAnError) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "w.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto blocked = insert(1, 10);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error(), StoreError::unavailable);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(insert(1, 10).ok());
}

TEST_F(WriterTest, ALogicalFailureRollsBackOnlyItsOwnChanges) {
  auto refused = writer_->write<void>([&](Connection& db) -> StoreResult<void> {
    db.query("INSERT INTO t (id, v) VALUES (?1, ?2)", std::int64_t{7}, std::nullopt).run();
    return fail(StoreError::failed_precondition);  // after writing: must be undone
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), StoreError::failed_precondition);
  EXPECT_TRUE(insert(7, 1).ok());  // id 7 is free
  EXPECT_EQ(insert(7, 1).error(), StoreError::already_exists);
}

TEST_F(WriterTest, ClosedWriterRefusesWrites) {
  writer_->close();
  EXPECT_EQ(insert(1, 1).error(), StoreError::unavailable);
}

}  // namespace
}  // namespace tessera::store::testing
