#include <algorithm>
#include <utility>
#include <vector>

#include "server/store/sqlite/client_rows.hpp"
#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {

using domain::IdKind;
using domain::Secret;

StoreResult<Secret> insert_secret(Connection& db, std::string_view organization_id,
                                  const Secret& secret, std::size_t max_secrets) {
  const auto address = parse_address(organization_id, secret.client_id);
  if (!address || !client_exists_at(db, *address)) return fail(StoreError::not_found);
  const auto id = number_of(IdKind::secret, secret.id);
  if (!id) return fail(StoreError::failed_precondition);
  // Counted inside the write transaction, so concurrent adds cannot overshoot the limit.
  const auto count = db.scalar("SELECT count(*) FROM secrets WHERE client_id = ?1", address->id);
  if (static_cast<std::size_t>(count) >= max_secrets) return fail(StoreError::failed_precondition);
  write_secret(db, *id, address->id, secret);
  return secret;
}

StoreResult<void> delete_secret(Connection& db, std::string_view organization_id,
                                std::string_view client_id, std::string_view secret_id) {
  const auto address = parse_address(organization_id, client_id);
  const auto id = number_of(IdKind::secret, secret_id);
  if (!address || !id || !client_exists_at(db, *address)) return fail(StoreError::not_found);
  if (!db.scalar("SELECT EXISTS (SELECT 1 FROM secrets WHERE id = ?1 AND client_id = ?2)", *id,
                 address->id)) {
    return fail(StoreError::not_found);
  }
  // A client without secrets could never authenticate again; delete the client instead.
  if (db.scalar("SELECT count(*) FROM secrets WHERE client_id = ?1", address->id) <= 1) {
    return fail(StoreError::failed_precondition);
  }
  db.query("DELETE FROM secrets WHERE id = ?1", *id).run();
  return {};
}

StoreResult<void> record_secret_uses(Connection& db, std::span<const SecretUse> uses) {
  // In key order: with many clients a flush touches more pages than the page cache holds, and in
  // arrival (random) order SQLite spilled dirty pages mid-way and came back to them. In order,
  // each page is read once and written once.
  std::vector<std::pair<std::int64_t, domain::Timestamp>> ordered;
  ordered.reserve(uses.size());
  for (const SecretUse& use : uses) {
    if (const auto id = number_of(IdKind::secret, use.secret_id)) {
      ordered.emplace_back(*id, use.used_at);
    }
  }
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [id, used_at] : ordered) {
    // Never moves last_used_time backwards: flushes from several nodes may arrive out of order.
    // Every secret made through the API has its row from the start, so the UPDATE is the usual
    // case; it reads nothing of `secrets`, whose rows are far larger.
    db.query("UPDATE secret_uses SET last_used_time = max(last_used_time, ?2) WHERE secret_id = ?1",
             id, used_at)
        .run();
    if (db.changes() != 0) continue;
    // No row: a secret stored without a last_used_time (not made through the API), or one
    // deleted since its use, which the SELECT skips.
    db.query(
          "INSERT INTO secret_uses (secret_id, last_used_time) SELECT id, ?2 FROM secrets "
          "WHERE id = ?1",
          id, used_at)
        .run();
  }
  return {};
}

}  // namespace tessera::store::sqlite::queries
