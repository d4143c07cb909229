#include "server/store/sqlite/client_rows.hpp"

namespace tessera::store::sqlite::queries {

using domain::IdKind;

bool client_exists_at(Connection& db, const ClientAddress& address) {
  return db.scalar("SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?1 AND organization_id IS ?2)",
                   address.id, address.organization);
}

void write_secret(Connection& db, std::int64_t id, std::int64_t client,
                  const domain::Secret& secret) {
  db.query(
        "INSERT INTO secrets (id, client_id, hash, suffix, status, expire_time, create_time, "
        "update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        id, client, Blob{secret.hash}, secret.suffix, domain::to_string(secret.status),
        secret.expire_time, secret.create_time, secret.update_time)
      .run();
  if (secret.last_used_time) {
    db.query("INSERT INTO secret_uses (secret_id, last_used_time) VALUES (?1, ?2)", id,
             *secret.last_used_time)
        .run();
  }
}

}  // namespace tessera::store::sqlite::queries
