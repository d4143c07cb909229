#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres::queries {
namespace {

constexpr std::int64_t kNodeIds = 65536;

domain::Timestamp expiry(domain::Timestamp now, std::chrono::seconds ttl) {
  return now + std::chrono::duration_cast<domain::Timestamp::duration>(ttl);
}

// The lowest id never leased, else the one whose lease ended longest ago; nullopt if all live.
std::optional<std::int64_t> pick_free_node(Connection& db, domain::Timestamp now) {
  if (db.scalar("SELECT count(*) FROM node_leases") < kNodeIds) {
    return db.scalar(
        "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM node_leases WHERE node_id = 0) THEN 0 ELSE "
        "(SELECT min(a.node_id) + 1 FROM node_leases a WHERE NOT EXISTS "
        "(SELECT 1 FROM node_leases b WHERE b.node_id = a.node_id + 1)) END");
  }
  const auto rows = db.query(
      "SELECT node_id FROM node_leases WHERE expire_time <= $1 ORDER BY expire_time LIMIT 1", now);
  if (rows.empty()) return std::nullopt;
  return rows.int64(0, 0);
}

}  // namespace

StoreResult<NodeLease> acquire_node_lease(Connection& db, std::string_view holder,
                                          std::optional<std::uint16_t> wanted,
                                          domain::Timestamp now, std::chrono::seconds ttl) {
  // One node picks at a time, so two cannot take the same free id.
  db.query("SELECT pg_advisory_xact_lock($1)", kNodeLeaseLock);
  std::optional<std::int64_t> node;
  if (wanted) {
    const auto rows = db.query("SELECT holder, expire_time FROM node_leases WHERE node_id = $1",
                               std::int64_t{*wanted});
    if (!rows.empty() && rows.text(0, 0) != holder && rows.time(0, 1) > now) {
      return fail(StoreError::failed_precondition);
    }
    node = *wanted;
  } else {
    node = pick_free_node(db, now);
    if (!node) return fail(StoreError::failed_precondition);
  }
  const NodeLease lease{static_cast<std::uint16_t>(*node), expiry(now, ttl)};
  db.query(
      "INSERT INTO node_leases (node_id, holder, expire_time) VALUES ($1, $2, $3) "
      "ON CONFLICT (node_id) DO UPDATE SET holder = excluded.holder, "
      "expire_time = excluded.expire_time",
      *node, holder, lease.expire_time);
  return lease;
}

StoreResult<NodeLease> renew_node_lease(Connection& db, std::uint16_t node_id,
                                        std::string_view holder, domain::Timestamp now,
                                        std::chrono::seconds ttl) {
  const NodeLease lease{node_id, expiry(now, ttl)};
  // An expired lease may still be renewed as long as nobody else took it.
  if (db.query("UPDATE node_leases SET expire_time = $3 WHERE node_id = $1 AND holder = $2",
               std::int64_t{node_id}, holder, lease.expire_time)
          .affected() == 0) {
    return fail(StoreError::not_found);
  }
  return lease;
}

StoreResult<void> release_node_lease(Connection& db, std::uint16_t node_id, std::string_view holder,
                                     domain::Timestamp now) {
  // Kept as a row (expired now) so that the id is reused last, not first.
  db.query(
      "UPDATE node_leases SET expire_time = LEAST(expire_time, $3) WHERE node_id = $1 AND "
      "holder = $2",
      std::int64_t{node_id}, holder, now);
  return {};
}

StoreResult<std::int64_t> count_live_nodes(Connection& db, domain::Timestamp now) {
  return db.scalar("SELECT count(*) FROM node_leases WHERE expire_time > $1", now);
}

StoreResult<std::int64_t> increment_failure_counter(Connection& db, std::string_view key,
                                                    std::chrono::seconds window,
                                                    domain::Timestamp now) {
  const std::int64_t length = std::max<std::int64_t>(1, window.count()) * 1'000'000;
  const std::int64_t start = domain::to_unix_micros(now) / length * length;
  const std::int64_t count = db.scalar(
      "INSERT INTO failure_counters AS f (key, window_start, window_end, count) "
      "VALUES ($1, $2, $3, 1) ON CONFLICT (key) DO UPDATE SET "
      "count = CASE WHEN f.window_start = excluded.window_start THEN f.count + 1 ELSE 1 END, "
      "window_start = excluded.window_start, window_end = excluded.window_end "
      "RETURNING count",
      key, start, start + length);
  // Keys of finished windows are dead weight; the first failure of each window sweeps them.
  if (count == 1) {
    db.query("DELETE FROM failure_counters WHERE window_end < $1", start - length);
  }
  return count;
}

}  // namespace tessera::store::postgres::queries
