// Versioned schema migrations, embedded into the binary from migrations/<backend>/NNNN_name.sql.
// A migration's version is its file number; a database records the last version applied.
#pragma once

#include <span>
#include <string_view>

namespace tessera::store {

struct Migration {
  int version;
  std::string_view name;  // file name, for messages
  std::string_view sql;
};

// migrations/<backend>/*.sql in version order (generated at build time).
std::span<const Migration> sqlite_migrations();
std::span<const Migration> postgres_migrations();

enum class MigrationPolicy {
  apply,            // bring the schema to the latest version (tessera migrate)
  initialize_only,  // create the schema of an empty database, refuse an older one
};

// What a migration run did: the schema version found and the one left behind.
struct MigrationOutcome {
  int from = 0;
  int to = 0;
};

}  // namespace tessera::store
