#include "server/domain/ids.hpp"
#include "server/store/paging.hpp"
#include "server/store/sqlite/client_rows.hpp"
#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {
namespace {

using domain::AuditEvent;
using domain::IdKind;

// A NULL parameter matches every row, so one statement serves every filter.
#define AUDIT_SELECT                                                                     \
  "SELECT id, time, actor, action, target_id, organization_id, source_address, outcome " \
  "FROM audit_events WHERE (?1 IS NULL OR organization_id = ?1) AND "                    \
  "(?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR target_id = ?3) AND "                   \
  "(?4 IS NULL OR action = ?4)"

AuditEvent read_event(const Statement& row) {
  AuditEvent event;
  event.id = domain::format_id(IdKind::audit_event, static_cast<std::uint64_t>(row.int64(0)));
  event.time = row.time(1);
  event.actor = row.text(2);
  event.action = row.text(3);
  event.target_id = row.text(4);
  event.organization_id = row.text(5);
  event.source_address = row.text(6);
  const auto outcome = domain::parse_audit_outcome(row.text(7));
  if (!outcome) throw std::runtime_error("stored audit outcome is unknown");
  event.outcome = *outcome;
  return event;
}

// Newest first: "forward" means towards smaller ids (paging.hpp, newest_first_key).
std::vector<AuditEvent> fetch_events(Connection& db, const AuditFilter& f, Direction direction,
                                     std::int64_t bound, std::size_t limit) {
  const std::int64_t id_bound = newest_first_id_bound(bound);
  auto rows =
      direction == Direction::forward
          ? db.query(AUDIT_SELECT " AND id < ?5 ORDER BY id DESC LIMIT ?6", f.organization_id,
                     f.actor, f.target_id, f.action, id_bound, static_cast<std::int64_t>(limit))
          : db.query(AUDIT_SELECT " AND id > ?5 ORDER BY id LIMIT ?6", f.organization_id, f.actor,
                     f.target_id, f.action, id_bound, static_cast<std::int64_t>(limit));
  std::vector<AuditEvent> events;
  while (rows.step()) {
    events.push_back(read_event(rows));
  }
  return events;
}

bool any_event_beyond(Connection& db, const AuditFilter& f, Direction direction,
                      std::int64_t bound) {
  auto rows = fetch_events(db, f, direction, bound, 1);
  return !rows.empty();
}

}  // namespace

StoreResult<void> insert_audit_events(Connection& db, std::span<const AuditEvent> events) {
  for (const AuditEvent& event : events) {
    const auto id = number_of(IdKind::audit_event, event.id);
    if (!id) return fail(StoreError::failed_precondition);
    db.query(
          "INSERT INTO audit_events (id, time, actor, action, target_id, organization_id, "
          "source_address, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          *id, event.time, event.actor, event.action, event.target_id, event.organization_id,
          event.source_address, domain::to_string(event.outcome))
        .run();
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
        return any_event_beyond(db, filter, direction, bound);
      },
      [](const AuditEvent& event) {
        return newest_first_key(*number_of(IdKind::audit_event, event.id));
      });
  if (!page) return page;
  page->total_size = db.scalar(
      "SELECT count(*) FROM audit_events WHERE (?1 IS NULL OR organization_id = ?1) AND "
      "(?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR target_id = ?3) AND "
      "(?4 IS NULL OR action = ?4)",
      filter.organization_id, filter.actor, filter.target_id, filter.action);
  return page;
}

}  // namespace tessera::store::sqlite::queries
