// Helpers shared by the client and secret queries: how the Store interface's client addresses map
// to rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "server/domain/entities.hpp"
#include "server/domain/ids.hpp"
#include "server/store/sqlite/connection.hpp"

namespace tessera::store::sqlite::queries {

// The row id of an id of the given kind, or nullopt when `id` is not one.
std::optional<std::int64_t> number_of(domain::IdKind kind, std::string_view id);

// Where a client lives: its row id, and its organization's (none for skc_ clients).
struct ClientAddress {
  std::int64_t id;
  std::optional<std::int64_t> organization;
};

// (organization_id, client_id) as the Store interface addresses clients: "" and an skc_ id, or an
// org_ id and an m2morg_ id. nullopt for anything else: such a client cannot exist.
std::optional<ClientAddress> parse_address(std::string_view organization_id,
                                           std::string_view client_id);

// Whether a client is at `address`, without loading it.
bool client_exists_at(Connection& db, const ClientAddress& address);

void write_secret(Connection& db, std::int64_t id, std::int64_t client,
                  const domain::Secret& secret);

}  // namespace tessera::store::sqlite::queries
