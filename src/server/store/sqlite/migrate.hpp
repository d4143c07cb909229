// Brings a SQLite database to the schema this binary knows.
#pragma once

#include <span>

#include "server/store/migration.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace tessera::store::sqlite {

// Applies the migrations newer than the database's PRAGMA user_version, in order, in one
// transaction, and records the last one's version there. A database at a version newer than the
// last migration is refused (schema_too_new): this binary would misread it.
// Returns the version found and the version the database is at afterwards.
Result<MigrationOutcome, OpenFailure> migrate(Connection& connection,
                                              std::span<const Migration> migrations);

}  // namespace tessera::store::sqlite
