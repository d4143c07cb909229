// `tessera migrate`: brings the database schema to this build's version, on purpose. SQLite files
// are also upgraded by `serve` (one node owns them); a shared PostgreSQL database only here, so
// that a rolling upgrade decides when the schema moves (docs/deployment.md).
#include <iostream>

#include "cli/commands.hpp"
#include "server/app/config.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace tessera::cli {
namespace {

Result<store::MigrationOutcome, store::OpenFailure> migrate(const app::DatabaseLocation& where) {
  if (where.kind == app::DatabaseLocation::Kind::postgres) {
    return store::migrate_postgres_database({.url = where.target});
  }
  return store::migrate_sqlite_database({.path = where.target});
}

void report(const store::MigrationOutcome& outcome) {
  if (outcome.from == outcome.to) {
    std::cout << "tessera migrate: schema already at version " << outcome.to << "\n";
  } else {
    std::cout << "tessera migrate: schema upgraded from version " << outcome.from << " to "
              << outcome.to << "\n";
  }
}

}  // namespace

std::function<int()> add_migrate_command(CLI::App& app) {
  auto config = std::make_shared<app::Config>();
  CLI::App* command = app.add_subcommand("migrate", "Upgrade the database schema and exit");
  command
      ->add_option("--db", config->db,
                   "Database: sqlite://[PATH] (default: DATA_DIR/tessera.db) or postgres://...")
      ->envname("TESSERA_DB");
  command->add_option("--data-dir", config->data_dir, "Directory of the default SQLite database")
      ->envname("TESSERA_DATA_DIR")
      ->capture_default_str();
  return [config, command]() -> int {
    if (!command->parsed()) return -1;
    std::string error;
    const auto where = app::parse_database_url(*config, error);
    if (!where) {
      std::cerr << "tessera migrate: " << error << "\n";
      return 2;
    }
    auto outcome = migrate(*where);
    if (!outcome) {
      std::cerr << "tessera migrate: " << outcome.error().message << "\n";
      return 1;
    }
    report(*outcome);
    return 0;
  };
}

}  // namespace tessera::cli
