#include "server/store/postgres/migrate.hpp"

namespace tessera::store::postgres {
namespace {

// pg_advisory_xact_lock key of schema migrations ("tessera" in ASCII, then 1).
constexpr std::int64_t kMigrationLock = 0x7465737365726101;

OpenFailure too_new(int found, int known) {
  return {OpenFailure::Reason::schema_too_new, "database schema version " + std::to_string(found) +
                                                   " is newer than this tessera supports (" +
                                                   std::to_string(known) + "); upgrade tessera"};
}

OpenFailure too_old(int found, int known) {
  return {OpenFailure::Reason::schema_too_old,
          "database schema version " + std::to_string(found) + " is older than this tessera's (" +
              std::to_string(known) + "); run `tessera migrate` first"};
}

int current_version(Connection& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
      "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  return static_cast<int>(db.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations"));
}

}  // namespace

Result<MigrationOutcome, OpenFailure> migrate(Connection& db, std::span<const Migration> migrations,
                                              MigrationPolicy policy) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  const Migration* current = nullptr;
  try {
    db.exec("BEGIN");
    // A large migration may take longer than one statement's usual bound; the lock waits for
    // another node that is migrating right now.
    db.exec("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0");
    db.query("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    const int found = current_version(db);
    if (found > known) {
      db.exec("ROLLBACK");
      return fail(too_new(found, known));
    }
    if (policy == MigrationPolicy::initialize_only && found != 0 && found < known) {
      db.exec("ROLLBACK");
      return fail(too_old(found, known));
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= found) continue;
      current = &migration;
      db.exec(std::string(migration.sql));
      db.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
               std::int64_t{migration.version}, migration.name);
    }
    db.exec("COMMIT");
    return MigrationOutcome{found, std::max(found, known)};
  } catch (const std::exception& error) {
    db.rollback_quietly();
    const std::string where = current ? " applying " + std::string(current->name) : "";
    return fail(OpenFailure{OpenFailure::Reason::migration_failed,
                            "schema migration failed" + where + ": " + error.what()});
  }
}

}  // namespace tessera::store::postgres
