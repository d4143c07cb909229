// The PostgreSQL backend of Store, for several tessera nodes sharing one database: a bounded pool
// of libpq connections with prepared statements, one transaction per operation (READ COMMITTED
// with row and advisory locks where a check must hold until commit; reads in a REPEATABLE READ
// snapshot), the change feed on LISTEN/NOTIFY, and TLS or any other libpq setting taken from the
// URL (sslmode=verify-full, sslrootcert=..., ...). Schema: migrations/postgres/*.sql.
//
// Outages: every call gives up within a bounded time (connect, statement and network timeouts)
// with unavailable, and the pool and the listener reconnect by themselves.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "server/store/migration.hpp"
#include "server/store/store.hpp"

namespace tessera::store {

struct PostgresOptions {
  std::string url;  // postgres://user@host:port/dbname?sslmode=...
  std::size_t max_connections = 8;
  // How long a call waits for a pooled connection when all are busy.
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds statement_timeout{5000};
  // A silent network (no answer, no reset) counts as a lost connection after this long.
  std::chrono::milliseconds network_timeout{5000};
  MigrationPolicy migrations = MigrationPolicy::apply;
};

// Connects, migrates as `options.migrations` says, and refuses a schema newer than this build.
Result<std::unique_ptr<Store>, OpenFailure> open_postgres_store(const PostgresOptions& options);

// `tessera migrate`: brings the schema to the latest version and says from which.
Result<MigrationOutcome, OpenFailure> migrate_postgres_database(const PostgresOptions& options);

}  // namespace tessera::store
