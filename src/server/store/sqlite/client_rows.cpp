#include "server/store/sqlite/client_rows.hpp"

namespace tessera::store::sqlite::queries {

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

bool client_exists_at(Connection& db, const ClientAddress& address) {
  return db.scalar("SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?1 AND organization_id IS ?2)",
                   address.id, address.organization);
}

void write_secret(Connection& db, std::int64_t id, std::int64_t client,
                  const domain::Secret& secret) {
  db.query(
        "INSERT INTO secrets (id, client_id, hash, suffix, status, expire_time, last_used_time, "
        "create_time, update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        id, client, Blob{secret.hash}, secret.suffix, domain::to_string(secret.status),
        secret.expire_time, secret.last_used_time, secret.create_time, secret.update_time)
      .run();
}

}  // namespace tessera::store::sqlite::queries
