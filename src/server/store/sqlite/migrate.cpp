#include "server/store/sqlite/migrate.hpp"

#include <string>

namespace tessera::store::sqlite {
namespace {

int schema_version(Connection& connection) {
  return static_cast<int>(connection.scalar("PRAGMA user_version"));
}

OpenFailure too_new(int found, int known) {
  return {OpenFailure::Reason::schema_too_new, "database schema version " + std::to_string(found) +
                                                   " is newer than this tessera supports (" +
                                                   std::to_string(known) + "); upgrade tessera"};
}

}  // namespace

Result<MigrationOutcome, OpenFailure> migrate(Connection& connection,
                                              std::span<const Migration> migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  const Migration* current = nullptr;
  try {
    // IMMEDIATE: two processes opening a fresh database must not both apply version 1.
    connection.exec("BEGIN IMMEDIATE");
    const int found = schema_version(connection);
    if (found > known) {
      connection.exec("ROLLBACK");
      return fail(too_new(found, known));
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= found) continue;
      current = &migration;
      connection.exec(std::string(migration.sql));
    }
    // PRAGMA takes no parameters; the value is our own integer.
    connection.exec("PRAGMA user_version = " + std::to_string(known));
    connection.exec("COMMIT");
    return MigrationOutcome{found, known};
  } catch (const SqliteError& error) {
    connection.rollback_quietly();
    const std::string where = current ? " applying " + std::string(current->name) : "";
    return fail(OpenFailure{OpenFailure::Reason::migration_failed,
                            "schema migration failed" + where + ": " + error.what()});
  }
}

}  // namespace tessera::store::sqlite
