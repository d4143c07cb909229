// Schema migrations for PostgreSQL: versions recorded in schema_migrations, applied in one
// transaction under an advisory lock, so that nodes starting together neither race nor see a
// half-migrated schema.
#pragma once

#include <span>

#include "server/store/migration.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/store.hpp"

namespace tessera::store::postgres {

// Refuses (schema_too_new) a database migrated by a newer tessera.
Result<MigrationOutcome, OpenFailure> migrate(Connection& db, std::span<const Migration> migrations,
                                              MigrationPolicy policy);

}  // namespace tessera::store::postgres
