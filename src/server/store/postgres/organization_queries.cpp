#include "server/store/addresses.hpp"
#include "server/store/change_hub.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/paging.hpp"
#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres::queries {
namespace {

using domain::IdKind;

// Column list shared by every organization SELECT, in read_organization's order.
#define ORGANIZATION_COLUMNS "id, display_name, external_id, metadata, create_time, update_time"

Organization read_organization(const Rows& rows, int row) {
  Organization organization;
  organization.id =
      domain::format_id(IdKind::organization, static_cast<std::uint64_t>(rows.int64(row, 0)));
  organization.display_name = rows.text(row, 1);
  organization.external_id = rows.optional_text(row, 2);
  organization.metadata = metadata_from_json(rows.text(row, 3));
  organization.create_time = rows.time(row, 4);
  organization.update_time = rows.time(row, 5);
  return organization;
}

std::vector<Organization> read_organizations(const Rows& rows) {
  std::vector<Organization> organizations;
  for (int row = 0; row < rows.size(); ++row) {
    organizations.push_back(read_organization(rows, row));
  }
  return organizations;
}

std::vector<Organization> fetch_organizations(Connection& db, Direction direction,
                                              std::int64_t bound, std::size_t limit) {
  const auto count = static_cast<std::int64_t>(limit);
  return read_organizations(
      direction == Direction::forward
          ? db.query("SELECT " ORGANIZATION_COLUMNS
                     " FROM organizations WHERE id > $1 ORDER BY id LIMIT $2",
                     bound, count)
          : db.query("SELECT " ORGANIZATION_COLUMNS
                     " FROM organizations WHERE id < $1 ORDER BY id DESC LIMIT $2",
                     bound, count));
}

bool any_organization_beyond(Connection& db, Direction direction, std::int64_t bound) {
  return !(direction == Direction::forward
               ? db.query("SELECT 1 FROM organizations WHERE id > $1 LIMIT 1", bound)
               : db.query("SELECT 1 FROM organizations WHERE id < $1 LIMIT 1", bound))
              .empty();
}

}  // namespace

StoreResult<Organization> insert_organization(Connection& db, const Organization& organization) {
  const auto id = number_of(IdKind::organization, organization.id);
  if (!id) return fail(StoreError::failed_precondition);
  db.query(
      "INSERT INTO organizations (id, display_name, external_id, metadata, create_time, "
      "update_time) VALUES ($1, $2, $3, $4, $5, $6)",
      *id, organization.display_name, organization.external_id,
      metadata_to_json(organization.metadata), organization.create_time, organization.update_time);
  return organization;
}

StoreResult<Organization> select_organization(Connection& db, std::string_view id) {
  const auto number = number_of(IdKind::organization, id);
  if (!number) return fail(StoreError::not_found);
  auto rows = db.query("SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE id = $1", *number);
  if (rows.empty()) return fail(StoreError::not_found);
  return read_organization(rows, 0);
}

StoreResult<Organization> select_organization_by_external_id(Connection& db,
                                                             std::string_view external_id) {
  auto rows = db.query("SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE external_id = $1",
                       external_id);
  if (rows.empty()) return fail(StoreError::not_found);
  return read_organization(rows, 0);
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
      [](const Organization& organization) {
        return *number_of(IdKind::organization, organization.id);
      });
  if (!page) return page;
  page->total_size = db.scalar("SELECT value FROM counters WHERE name = 'organizations'");
  return page;
}

StoreResult<Organization> update_organization(Connection& db, std::string_view id,
                                              const domain::OrganizationPatch& patch) {
  const auto number = number_of(IdKind::organization, id);
  if (!number) return fail(StoreError::not_found);
  // FOR UPDATE: concurrent patches apply one after the other, each to the other's result.
  auto rows = db.query(
      "SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE id = $1 FOR UPDATE", *number);
  if (rows.empty()) return fail(StoreError::not_found);
  Organization organization = read_organization(rows, 0);
  if (patch.display_name) organization.display_name = *patch.display_name;
  if (patch.external_id) organization.external_id = *patch.external_id;
  if (patch.metadata) organization.metadata = *patch.metadata;
  organization.update_time = patch.update_time;
  db.query(
      "UPDATE organizations SET display_name = $2, external_id = $3, metadata = $4, "
      "update_time = $5 WHERE id = $1",
      *number, organization.display_name, organization.external_id,
      metadata_to_json(organization.metadata), organization.update_time);
  return organization;
}

StoreResult<std::vector<std::string>> delete_organization(Connection& db, std::string_view id) {
  const auto number = number_of(IdKind::organization, id);
  if (!number) return fail(StoreError::not_found);
  // Lock the organization first: a client being created in it concurrently then either commits
  // before (and is listed below) or fails its foreign key after.
  if (db.query("SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE", *number).empty()) {
    return fail(StoreError::not_found);
  }
  std::vector<std::string> client_ids;
  const auto rows =
      db.query("SELECT id FROM clients WHERE organization_id = $1 ORDER BY id", *number);
  for (int row = 0; row < rows.size(); ++row) {
    client_ids.push_back(
        domain::format_id(IdKind::api_client, static_cast<std::uint64_t>(rows.int64(row, 0))));
  }
  // Clients and their secrets go with it (ON DELETE CASCADE).
  db.query("DELETE FROM organizations WHERE id = $1", *number);
  for (const Change& change : organization_deletion_changes(id, client_ids)) {
    notify(db, change);
  }
  return client_ids;
}

}  // namespace tessera::store::postgres::queries
