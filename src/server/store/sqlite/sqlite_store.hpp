// The SQLite backend of Store: one file on local disk, WAL mode, synchronous=FULL (a write is on
// disk before it is acknowledged), foreign keys on, a pool of reader connections and one writer
// thread that group-commits concurrent writes. Schema: migrations/sqlite/*.sql.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "server/store/migration.hpp"
#include "server/store/store.hpp"

namespace tessera::store {

struct SqliteOptions {
  // The database file. Missing parent directories are created with mode 0700 and a new file
  // with mode 0600 (it holds secret hashes and encrypted keys).
  std::filesystem::path path;
  // Reader connections. A thread that finds none idle waits, so the server gives each of its I/O
  // and worker threads one (the token endpoint reads on I/O threads; see Store::reads_are_local).
  std::size_t max_readers = 8;
  // The page cache of each reader connection. With a million clients, SQLite's default of 2 MiB
  // does not keep the B-tree interior pages of `clients` and `secrets_by_client` while cold token
  // requests stream leaf pages through it: 2.96 page reads per lookup where 2 are leaves. At 8 MiB
  // the interior pages stay, and a lookup reads 1.99 pages. Memory: up to this much per open
  // reader; the server opens about one per thread that reads.
  std::size_t reader_cache_kib = 8192;
  // How long a connection waits for a lock held by another process before giving up
  // (the operation then fails with unavailable).
  std::chrono::milliseconds busy_timeout{5000};
  // Upper bound on operations per group commit.
  std::size_t max_batch = 512;
};

// Opens the file, creating it if needed, and brings its schema to this build's version (one node
// owns a SQLite file, so there is nobody to coordinate an upgrade with).
Result<std::unique_ptr<Store>, OpenFailure> open_sqlite_store(const SqliteOptions& options);

// `tessera migrate`: the same upgrade without serving, and from which version.
Result<MigrationOutcome, OpenFailure> migrate_sqlite_database(const SqliteOptions& options);

}  // namespace tessera::store
