#include "server/domain/ids.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/paging.hpp"
#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {
namespace {

using domain::IdKind;

// Column list shared by every organization SELECT, in read_organization's order.
#define ORGANIZATION_COLUMNS "id, display_name, external_id, metadata, create_time, update_time"

Organization read_organization(const Statement& row) {
  Organization organization;
  organization.id =
      domain::format_id(IdKind::organization, static_cast<std::uint64_t>(row.int64(0)));
  organization.display_name = row.text(1);
  if (!row.is_null(2)) organization.external_id = row.text(2);
  organization.metadata = metadata_from_json(row.text(3));
  organization.create_time = row.time(4);
  organization.update_time = row.time(5);
  return organization;
}

std::optional<std::int64_t> organization_number(std::string_view id) {
  const auto value = domain::parse_id(IdKind::organization, id);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

std::optional<Organization> find_organization(Connection& db, std::int64_t id) {
  auto row = db.query("SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE id = ?1", id);
  if (!row.step()) return std::nullopt;
  return read_organization(row);
}

std::vector<Organization> fetch_organizations(Connection& db, Direction direction,
                                              std::int64_t bound, std::size_t limit) {
  auto rows = direction == Direction::forward
                  ? db.query("SELECT " ORGANIZATION_COLUMNS
                             " FROM organizations WHERE id > ?1 ORDER BY id LIMIT ?2",
                             bound, static_cast<std::int64_t>(limit))
                  : db.query("SELECT " ORGANIZATION_COLUMNS
                             " FROM organizations WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
                             bound, static_cast<std::int64_t>(limit));
  std::vector<Organization> organizations;
  while (rows.step()) {
    organizations.push_back(read_organization(rows));
  }
  return organizations;
}

bool any_organization_beyond(Connection& db, Direction direction, std::int64_t bound) {
  return direction == Direction::forward
             ? db.scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE id > ?1)", bound)
             : db.scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE id < ?1)", bound);
}

}  // namespace

StoreResult<Organization> insert_organization(Connection& db, const Organization& organization) {
  const auto id = organization_number(organization.id);
  if (!id) return fail(StoreError::failed_precondition);
  db.query(
        "INSERT INTO organizations (id, display_name, external_id, metadata, create_time, "
        "update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        *id, organization.display_name, organization.external_id,
        metadata_to_json(organization.metadata), organization.create_time, organization.update_time)
      .run();
  return organization;
}

StoreResult<Organization> select_organization(Connection& db, std::string_view id) {
  const auto number = organization_number(id);
  if (!number) return fail(StoreError::not_found);
  auto organization = find_organization(db, *number);
  if (!organization) return fail(StoreError::not_found);
  return std::move(*organization);
}

StoreResult<Organization> select_organization_by_external_id(Connection& db,
                                                             std::string_view external_id) {
  auto row = db.query("SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE external_id = ?1",
                      external_id);
  if (!row.step()) return fail(StoreError::not_found);
  return read_organization(row);
}

StoreResult<Page<Organization>> list_organizations(Connection& db, const PageRequest& request) {
  constexpr std::int64_t kAllOrganizations = 0;
  auto page = paginate<Organization>(
      request, kAllOrganizations,
      [&](Direction direction, std::int64_t bound, std::size_t limit) {
        return fetch_organizations(db, direction, bound, limit);
      },
      [&](Direction direction, std::int64_t bound) {
        return any_organization_beyond(db, direction, bound);
      },
      [](const Organization& organization) { return *organization_number(organization.id); });
  if (!page) return page;
  page->total_size = db.scalar("SELECT value FROM counters WHERE name = 'organizations'");
  return page;
}

StoreResult<Organization> update_organization(Connection& db, std::string_view id,
                                              const domain::OrganizationPatch& patch) {
  const auto number = organization_number(id);
  if (!number) return fail(StoreError::not_found);
  auto organization = find_organization(db, *number);
  if (!organization) return fail(StoreError::not_found);
  if (patch.display_name) organization->display_name = *patch.display_name;
  if (patch.external_id) organization->external_id = *patch.external_id;
  if (patch.metadata) organization->metadata = *patch.metadata;
  organization->update_time = patch.update_time;
  db.query(
        "UPDATE organizations SET display_name = ?2, external_id = ?3, metadata = ?4, "
        "update_time = ?5 WHERE id = ?1",
        *number, organization->display_name, organization->external_id,
        metadata_to_json(organization->metadata), organization->update_time)
      .run();
  return std::move(*organization);
}

StoreResult<std::vector<std::string>> delete_organization(Connection& db, std::string_view id) {
  const auto number = organization_number(id);
  if (!number) return fail(StoreError::not_found);
  std::vector<std::string> client_ids;
  {
    auto rows = db.query("SELECT id FROM clients WHERE organization_id = ?1 ORDER BY id", *number);
    while (rows.step()) {
      client_ids.push_back(
          domain::format_id(IdKind::api_client, static_cast<std::uint64_t>(rows.int64(0))));
    }
  }
  // Clients and their secrets go with it (ON DELETE CASCADE).
  db.query("DELETE FROM organizations WHERE id = ?1", *number).run();
  if (db.changes() == 0) return fail(StoreError::not_found);
  return client_ids;
}

}  // namespace tessera::store::sqlite::queries
