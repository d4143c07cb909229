// Helpers shared by the client and secret queries: how the Store interface's client addresses map
// to rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "server/domain/entities.hpp"
#include "server/domain/ids.hpp"
#include "server/store/addresses.hpp"
#include "server/store/sqlite/connection.hpp"

namespace tessera::store::sqlite::queries {

// Whether a client is at `address`, without loading it.
bool client_exists_at(Connection& db, const ClientAddress& address);

void write_secret(Connection& db, std::int64_t id, std::int64_t client,
                  const domain::Secret& secret);

}  // namespace tessera::store::sqlite::queries
