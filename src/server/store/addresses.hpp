// How the Store interface's ids and client addresses map to the backends' integer keys. Shared by
// both backends so that they agree on what is not_found.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "server/domain/ids.hpp"

namespace tessera::store {

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

// A client id on its own: the prefix says whether it has an organization, not which one.
struct ClientId {
  std::int64_t number;
  bool environment;
};
std::optional<ClientId> parse_client_id(std::string_view client_id);

}  // namespace tessera::store
