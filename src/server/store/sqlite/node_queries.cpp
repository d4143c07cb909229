#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {
namespace {

constexpr std::int64_t kNodeIds = 65536;

domain::Timestamp expiry(domain::Timestamp now, std::chrono::seconds ttl) {
  return now + std::chrono::duration_cast<domain::Timestamp::duration>(ttl);
}

// The lowest id never leased, else the one whose lease ended longest ago; nullopt if all live.
std::optional<std::int64_t> pick_free_node(Connection& db, domain::Timestamp now) {
  const std::int64_t leased = db.scalar("SELECT count(*) FROM node_leases");
  if (leased < kNodeIds) {
    // The first gap in the ids (0 if there is no row 0).
    return db.scalar(
        "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM node_leases WHERE node_id = 0) THEN 0 ELSE "
        "(SELECT min(a.node_id) + 1 FROM node_leases a WHERE NOT EXISTS "
        "(SELECT 1 FROM node_leases b WHERE b.node_id = a.node_id + 1)) END");
  }
  auto row = db.query(
      "SELECT node_id FROM node_leases WHERE expire_time <= ?1 ORDER BY expire_time LIMIT 1", now);
  if (!row.step()) return std::nullopt;
  return row.int64(0);
}

}  // namespace

StoreResult<NodeLease> acquire_node_lease(Connection& db, std::string_view holder,
                                          std::optional<std::uint16_t> wanted,
                                          domain::Timestamp now, std::chrono::seconds ttl) {
  std::optional<std::int64_t> node;
  if (wanted) {
    auto row = db.query("SELECT holder, expire_time FROM node_leases WHERE node_id = ?1",
                        std::int64_t{*wanted});
    const bool taken = row.step() && row.text(0) != holder && row.time(1) > now;
    if (taken) return fail(StoreError::failed_precondition);
    node = *wanted;
  } else {
    node = pick_free_node(db, now);
    if (!node) return fail(StoreError::failed_precondition);
  }
  const NodeLease lease{static_cast<std::uint16_t>(*node), expiry(now, ttl)};
  db.query(
        "INSERT INTO node_leases (node_id, holder, expire_time) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (node_id) DO UPDATE SET holder = excluded.holder, "
        "expire_time = excluded.expire_time",
        *node, holder, lease.expire_time)
      .run();
  return lease;
}

StoreResult<NodeLease> renew_node_lease(Connection& db, std::uint16_t node_id,
                                        std::string_view holder, domain::Timestamp now,
                                        std::chrono::seconds ttl) {
  const NodeLease lease{node_id, expiry(now, ttl)};
  // An expired lease may still be renewed as long as nobody else took it.
  db.query("UPDATE node_leases SET expire_time = ?3 WHERE node_id = ?1 AND holder = ?2",
           std::int64_t{node_id}, holder, lease.expire_time)
      .run();
  if (db.changes() == 0) return fail(StoreError::not_found);
  return lease;
}

StoreResult<void> release_node_lease(Connection& db, std::uint16_t node_id, std::string_view holder,
                                     domain::Timestamp now) {
  // Kept as a row (expired now) so that the id is reused last, not first.
  db.query(
        "UPDATE node_leases SET expire_time = min(expire_time, ?3) WHERE node_id = ?1 AND "
        "holder = ?2",
        std::int64_t{node_id}, holder, now)
      .run();
  return {};
}

StoreResult<std::int64_t> count_live_nodes(Connection& db, domain::Timestamp now) {
  return db.scalar("SELECT count(*) FROM node_leases WHERE expire_time > ?1", now);
}

}  // namespace tessera::store::sqlite::queries
