#include <algorithm>

#include "server/domain/ids.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/paging.hpp"
#include "server/store/sqlite/client_rows.hpp"
#include "server/store/sqlite/queries.hpp"

namespace tessera::store::sqlite::queries {
namespace {

using domain::IdKind;
using domain::Secret;

// Column lists shared by the SELECTs, in read_client's and read_secret's order.
#define CLIENT_COLUMNS                                                                        \
  "id, organization_id, name, description, scopes, audience, custom_claims, expiry_seconds, " \
  "create_time, update_time"
#define SECRET_COLUMNS                                                                 \
  "s.id, s.hash, s.suffix, s.status, s.expire_time, u.last_used_time, s.create_time, " \
  "s.update_time"

std::string format(IdKind kind, std::int64_t number) {
  return domain::format_id(kind, static_cast<std::uint64_t>(number));
}

domain::SecretHash read_hash(const Statement& row, int column) {
  const auto bytes = row.blob(column);
  domain::SecretHash hash{};
  // The schema's CHECK keeps this at 32 bytes; anything else is a damaged row.
  if (bytes.size() != hash.size()) throw std::runtime_error("stored secret hash has wrong size");
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

domain::SecretStatus read_status(const Statement& row, int column) {
  const auto status = domain::parse_secret_status(row.text(column));
  // The schema's CHECK allows only known names; anything else is a damaged row.
  if (!status) throw std::runtime_error("stored secret status is unknown");
  return *status;
}

Secret read_secret(const Statement& row, const std::string& client_id) {
  Secret secret;
  secret.id = format(IdKind::secret, row.int64(0));
  secret.client_id = client_id;
  secret.hash = read_hash(row, 1);
  secret.suffix = row.text(2);
  secret.status = read_status(row, 3);
  secret.expire_time = row.optional_time(4);
  secret.last_used_time = row.optional_time(5);
  secret.create_time = row.time(6);
  secret.update_time = row.time(7);
  return secret;
}

std::vector<Secret> find_secrets(Connection& db, std::int64_t client,
                                 const std::string& client_id) {
  auto rows =
      db.query("SELECT " SECRET_COLUMNS
               " FROM secrets s "
               "LEFT JOIN secret_uses u ON u.secret_id = s.id WHERE s.client_id = ?1 ORDER BY s.id",
               client);
  std::vector<Secret> secrets;
  while (rows.step()) {
    secrets.push_back(read_secret(rows, client_id));
  }
  return secrets;
}

ApiClient read_client(Connection& db, const Statement& row) {
  ApiClient client;
  const bool environment = row.is_null(1);
  client.id = format(environment ? IdKind::environment_client : IdKind::api_client, row.int64(0));
  if (!environment) client.organization_id = format(IdKind::organization, row.int64(1));
  client.name = row.text(2);
  client.description = row.text(3);
  client.scopes = strings_from_json(row.text(4));
  client.audience = strings_from_json(row.text(5));
  client.custom_claims = claims_from_json(row.text(6));
  client.expiry_seconds = row.int64(7);
  client.create_time = row.time(8);
  client.update_time = row.time(9);
  client.secrets = find_secrets(db, row.int64(0), client.id);
  return client;
}

std::optional<ApiClient> find_client(Connection& db, std::int64_t id) {
  auto row = db.query("SELECT " CLIENT_COLUMNS " FROM clients WHERE id = ?1", id);
  if (!row.step()) return std::nullopt;
  return read_client(db, row);
}

// The client at `address`, or nullopt when there is none there (including one that exists under
// another organization, or is of the other kind). "IS" also matches NULL to NULL.
std::optional<ApiClient> find_client_at(Connection& db, const ClientAddress& address) {
  auto row =
      db.query("SELECT " CLIENT_COLUMNS " FROM clients WHERE id = ?1 AND organization_id IS ?2",
               address.id, address.organization);
  if (!row.step()) return std::nullopt;
  return read_client(db, row);
}

std::vector<ApiClient> fetch_clients(Connection& db, std::int64_t organization, Direction direction,
                                     std::int64_t bound, std::size_t limit) {
  auto rows = direction == Direction::forward
                  ? db.query("SELECT " CLIENT_COLUMNS
                             " FROM clients WHERE organization_id = ?1 AND id > ?2 "
                             "ORDER BY id LIMIT ?3",
                             organization, bound, static_cast<std::int64_t>(limit))
                  : db.query("SELECT " CLIENT_COLUMNS
                             " FROM clients WHERE organization_id = ?1 AND id < ?2 "
                             "ORDER BY id DESC LIMIT ?3",
                             organization, bound, static_cast<std::int64_t>(limit));
  std::vector<ApiClient> clients;
  while (rows.step()) {
    clients.push_back(read_client(db, rows));
  }
  return clients;
}

bool any_client_beyond(Connection& db, std::int64_t organization, Direction direction,
                       std::int64_t bound) {
  return direction == Direction::forward
             ? db.scalar(
                   "SELECT EXISTS (SELECT 1 FROM clients WHERE organization_id = ?1 "
                   "AND id > ?2)",
                   organization, bound)
             : db.scalar(
                   "SELECT EXISTS (SELECT 1 FROM clients WHERE organization_id = ?1 "
                   "AND id < ?2)",
                   organization, bound);
}

// Checks the shape create_client promises to enforce; returns the row ids on success.
struct NewClient {
  std::int64_t id;
  std::optional<std::int64_t> organization;
  std::int64_t secret;
};
std::optional<NewClient> check_new_client(const ApiClient& client) {
  const auto parsed = parse_client_id(client.id);
  if (!parsed) return std::nullopt;
  if (parsed->environment == client.organization_id.has_value()) return std::nullopt;
  NewClient out{parsed->number, std::nullopt, 0};
  if (client.organization_id) {
    out.organization = number_of(IdKind::organization, *client.organization_id);
    if (!out.organization) return std::nullopt;
  }
  if (client.secrets.size() != 1 || client.secrets.front().client_id != client.id) {
    return std::nullopt;
  }
  const auto secret = number_of(IdKind::secret, client.secrets.front().id);
  if (!secret) return std::nullopt;
  out.secret = *secret;
  return out;
}

}  // namespace

StoreResult<ApiClient> insert_client(Connection& db, const ApiClient& client) {
  const auto ids = check_new_client(client);
  if (!ids) return fail(StoreError::failed_precondition);
  if (ids->organization &&
      !db.scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = ?1)", *ids->organization)) {
    return fail(StoreError::not_found);
  }
  db.query(
        "INSERT INTO clients (id, organization_id, name, description, scopes, audience, "
        "custom_claims, expiry_seconds, create_time, update_time) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        ids->id, ids->organization, client.name, client.description, strings_to_json(client.scopes),
        strings_to_json(client.audience), claims_to_json(client.custom_claims),
        client.expiry_seconds, client.create_time, client.update_time)
      .run();
  write_secret(db, ids->secret, ids->id, client.secrets.front());
  return client;
}

StoreResult<ApiClient> select_client(Connection& db, std::string_view client_id) {
  const auto parsed = parse_client_id(client_id);
  if (!parsed) return fail(StoreError::not_found);
  auto client = find_client(db, parsed->number);
  // The prefix must match the kind stored: an skc_ id never finds an m2morg_ client.
  if (!client || client->is_environment_client() != parsed->environment) {
    return fail(StoreError::not_found);
  }
  return std::move(*client);
}

StoreResult<domain::ClientCredentials> select_client_credentials(Connection& db,
                                                                 std::string_view client_id) {
  const auto parsed = parse_client_id(client_id);
  if (!parsed) return fail(StoreError::not_found);
  // One statement that touches the client's row and its secrets' index entries and rows, and
  // nothing only the management API shows (secret_uses, names, times).
  auto rows = db.query(
      "SELECT c.organization_id, c.scopes, c.audience, c.custom_claims, c.expiry_seconds, s.id, "
      "s.hash, s.status, s.expire_time FROM clients c "
      "LEFT JOIN secrets s ON s.client_id = c.id WHERE c.id = ?1 ORDER BY s.id",
      parsed->number);
  // The prefix must match the kind stored: an skc_ id never finds an m2morg_ client.
  if (!rows.step() || rows.is_null(0) != parsed->environment) return fail(StoreError::not_found);
  domain::ClientCredentials client;
  client.id =
      format(parsed->environment ? IdKind::environment_client : IdKind::api_client, parsed->number);
  if (!parsed->environment) client.organization_id = format(IdKind::organization, rows.int64(0));
  client.scopes = strings_from_json(rows.text_view(1));
  client.audience = strings_from_json(rows.text_view(2));
  client.custom_claims = claims_from_json(rows.text_view(3));
  client.expiry_seconds = rows.int64(4);
  if (rows.is_null(5)) return client;  // no secrets: the LEFT JOIN's one row
  do {
    client.secrets.push_back({format(IdKind::secret, rows.int64(5)), read_hash(rows, 6),
                              read_status(rows, 7), rows.optional_time(8)});
  } while (rows.step());
  return client;
}

StoreResult<ApiClient> select_organization_client(Connection& db, std::string_view organization_id,
                                                  std::string_view client_id) {
  const auto address = parse_address(organization_id, client_id);
  if (!address) return fail(StoreError::not_found);
  auto client = find_client_at(db, *address);
  if (!client) return fail(StoreError::not_found);
  return std::move(*client);
}

StoreResult<Page<ApiClient>> list_clients(Connection& db, std::string_view organization_id,
                                          const PageRequest& request) {
  const auto organization = number_of(IdKind::organization, organization_id);
  if (!organization) return fail(StoreError::not_found);
  auto count = db.query("SELECT client_count FROM organizations WHERE id = ?1", *organization);
  if (!count.step()) return fail(StoreError::not_found);
  const std::int64_t total = count.int64(0);

  auto page = paginate<ApiClient>(
      request, *organization,
      [&](Direction direction, std::int64_t bound, std::size_t limit) {
        return fetch_clients(db, *organization, direction, bound, limit);
      },
      [&](Direction direction, std::int64_t bound) {
        return any_client_beyond(db, *organization, direction, bound);
      },
      [](const ApiClient& client) { return *number_of(IdKind::api_client, client.id); });
  if (page) page->total_size = total;
  return page;
}

StoreResult<std::vector<ApiClient>> list_environment_clients(Connection& db) {
  auto rows =
      db.query("SELECT " CLIENT_COLUMNS " FROM clients WHERE organization_id IS NULL ORDER BY id");
  std::vector<ApiClient> clients;
  while (rows.step()) {
    clients.push_back(read_client(db, rows));
  }
  return clients;
}

StoreResult<ApiClient> update_client(Connection& db, std::string_view organization_id,
                                     std::string_view client_id,
                                     const domain::ApiClientPatch& patch) {
  const auto address = parse_address(organization_id, client_id);
  if (!address) return fail(StoreError::not_found);
  auto client = find_client_at(db, *address);
  if (!client) return fail(StoreError::not_found);
  if (patch.name) client->name = *patch.name;
  if (patch.description) client->description = *patch.description;
  if (patch.scopes) client->scopes = *patch.scopes;
  if (patch.audience) client->audience = *patch.audience;
  if (patch.custom_claims) client->custom_claims = *patch.custom_claims;
  if (patch.expiry_seconds) client->expiry_seconds = *patch.expiry_seconds;
  client->update_time = patch.update_time;
  db.query(
        "UPDATE clients SET name = ?2, description = ?3, scopes = ?4, audience = ?5, "
        "custom_claims = ?6, expiry_seconds = ?7, update_time = ?8 WHERE id = ?1",
        address->id, client->name, client->description, strings_to_json(client->scopes),
        strings_to_json(client->audience), claims_to_json(client->custom_claims),
        client->expiry_seconds, client->update_time)
      .run();
  return std::move(*client);
}

StoreResult<void> delete_client(Connection& db, std::string_view organization_id,
                                std::string_view client_id) {
  const auto address = parse_address(organization_id, client_id);
  if (!address || !client_exists_at(db, *address)) return fail(StoreError::not_found);
  // Its secrets go with it (ON DELETE CASCADE).
  db.query("DELETE FROM clients WHERE id = ?1", address->id).run();
  return {};
}

}  // namespace tessera::store::sqlite::queries
