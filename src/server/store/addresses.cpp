#include "server/store/addresses.hpp"

namespace tessera::store {

using domain::IdKind;

std::optional<std::int64_t> number_of(IdKind kind, std::string_view id) {
  const auto value = domain::parse_id(kind, id);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

std::optional<ClientAddress> parse_address(std::string_view organization_id,
                                           std::string_view client_id) {
  if (organization_id.empty()) {
    const auto id = number_of(IdKind::environment_client, client_id);
    if (!id) return std::nullopt;
    return ClientAddress{*id, std::nullopt};
  }
  const auto organization = number_of(IdKind::organization, organization_id);
  const auto id = number_of(IdKind::api_client, client_id);
  if (!organization || !id) return std::nullopt;
  return ClientAddress{*id, *organization};
}

std::optional<ClientId> parse_client_id(std::string_view client_id) {
  const auto parsed = domain::parse_any_id(client_id);
  if (!parsed) return std::nullopt;
  if (parsed->kind != IdKind::api_client && parsed->kind != IdKind::environment_client) {
    return std::nullopt;
  }
  return ClientId{static_cast<std::int64_t>(parsed->value),
                  parsed->kind == IdKind::environment_client};
}

}  // namespace tessera::store
