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

// migrations/sqlite/*.sql in version order (generated at build time).
std::span<const Migration> sqlite_migrations();

}  // namespace tessera::store
