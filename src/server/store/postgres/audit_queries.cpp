#include "server/store/addresses.hpp"
#include "server/store/paging.hpp"
#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres::queries {
namespace {

using domain::AuditEvent;
using domain::IdKind;

// A NULL parameter matches every row, so one prepared statement serves every filter.
#define AUDIT_WHERE                                                                      \
  "($1::text IS NULL OR organization_id = $1) AND ($2::text IS NULL OR actor = $2) AND " \
  "($3::text IS NULL OR target_id = $3) AND ($4::text IS NULL OR action = $4)"
#define AUDIT_SELECT                                                                     \
  "SELECT id, time, actor, action, target_id, organization_id, source_address, outcome " \
  "FROM audit_events WHERE " AUDIT_WHERE

AuditEvent read_event(const Rows& rows, int row) {
  AuditEvent event;
  event.id = domain::format_id(IdKind::audit_event, static_cast<std::uint64_t>(rows.int64(row, 0)));
  event.time = rows.time(row, 1);
  event.actor = rows.text(row, 2);
  event.action = rows.text(row, 3);
  event.target_id = rows.text(row, 4);
  event.organization_id = rows.text(row, 5);
  event.source_address = rows.text(row, 6);
  const auto outcome = domain::parse_audit_outcome(rows.text(row, 7));
  if (!outcome) throw std::runtime_error("stored audit outcome is unknown");
  event.outcome = *outcome;
  return event;
}

// Newest first: "forward" means towards smaller ids (paging.hpp, newest_first_key).
std::vector<AuditEvent> fetch_events(Connection& db, const AuditFilter& f, Direction direction,
                                     std::int64_t bound, std::size_t limit) {
  const std::int64_t id_bound = newest_first_id_bound(bound);
  const auto count = static_cast<std::int64_t>(limit);
  const auto rows =
      direction == Direction::forward
          ? db.query(AUDIT_SELECT " AND id < $5 ORDER BY id DESC LIMIT $6", f.organization_id,
                     f.actor, f.target_id, f.action, id_bound, count)
          : db.query(AUDIT_SELECT " AND id > $5 ORDER BY id LIMIT $6", f.organization_id, f.actor,
                     f.target_id, f.action, id_bound, count);
  std::vector<AuditEvent> events;
  for (int row = 0; row < rows.size(); ++row) {
    events.push_back(read_event(rows, row));
  }
  return events;
}

}  // namespace

StoreResult<void> insert_audit_events(Connection& db, std::span<const AuditEvent> events) {
  for (const AuditEvent& event : events) {
    const auto id = number_of(IdKind::audit_event, event.id);
    if (!id) return fail(StoreError::failed_precondition);
    db.query(
        "INSERT INTO audit_events (id, time, actor, action, target_id, organization_id, "
        "source_address, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        *id, event.time, event.actor, event.action, event.target_id, event.organization_id,
        event.source_address, domain::to_string(event.outcome));
  }
  return {};
}

StoreResult<Page<AuditEvent>> list_audit_events(Connection& db, const PageRequest& request,
                                                const AuditFilter& filter) {
  auto page = paginate<AuditEvent>(
      request, audit_list_key(filter),
      [&](Direction direction, std::int64_t bound, std::size_t limit) {
        return fetch_events(db, filter, direction, bound, limit);
      },
      [&](Direction direction, std::int64_t bound) {
        return !fetch_events(db, filter, direction, bound, 1).empty();
      },
      [](const AuditEvent& event) {
        return newest_first_key(*number_of(IdKind::audit_event, event.id));
      });
  if (!page) return page;
  page->total_size =
      db.scalar("SELECT count(*) FROM audit_events WHERE " AUDIT_WHERE, filter.organization_id,
                filter.actor, filter.target_id, filter.action);
  return page;
}

}  // namespace tessera::store::postgres::queries
