#include <algorithm>
#include <map>

#include "server/store/addresses.hpp"
#include "server/store/change_hub.hpp"
#include "server/store/json_columns.hpp"
#include "server/store/paging.hpp"
#include "server/store/postgres/queries.hpp"

namespace tessera::store::postgres::queries {
namespace {

using domain::IdKind;
using domain::Secret;

// Column lists shared by the SELECTs, in read_client's and read_secret's order.
#define CLIENT_COLUMNS                                                                        \
  "id, organization_id, name, description, scopes, audience, custom_claims, expiry_seconds, " \
  "create_time, update_time"
#define SECRET_COLUMNS \
  "id, hash, suffix, status, expire_time, last_used_time, create_time, update_time"

std::string format(IdKind kind, std::int64_t number) {
  return domain::format_id(kind, static_cast<std::uint64_t>(number));
}

domain::SecretHash read_hash(const Rows& rows, int row, int column) {
  const auto bytes = rows.bytes(row, column);
  domain::SecretHash hash{};
  // The schema's CHECK keeps this at 32 bytes; anything else is a damaged row.
  if (bytes.size() != hash.size()) throw std::runtime_error("stored secret hash has wrong size");
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

domain::SecretStatus read_status(const Rows& rows, int row, int column) {
  const auto status = domain::parse_secret_status(rows.text(row, column));
  // The schema's CHECK allows only known names; anything else is a damaged row.
  if (!status) throw std::runtime_error("stored secret status is unknown");
  return *status;
}

Secret read_secret(const Rows& rows, int row, const std::string& client_id) {
  Secret secret;
  secret.id = format(IdKind::secret, rows.int64(row, 0));
  secret.client_id = client_id;
  secret.hash = read_hash(rows, row, 1);
  secret.suffix = rows.text(row, 2);
  secret.status = read_status(rows, row, 3);
  secret.expire_time = rows.optional_time(row, 4);
  secret.last_used_time = rows.optional_time(row, 5);
  secret.create_time = rows.time(row, 6);
  secret.update_time = rows.time(row, 7);
  return secret;
}

std::vector<Secret> find_secrets(Connection& db, std::int64_t client,
                                 const std::string& client_id) {
  const auto rows =
      db.query("SELECT " SECRET_COLUMNS " FROM secrets WHERE client_id = $1 ORDER BY id", client);
  std::vector<Secret> secrets;
  for (int row = 0; row < rows.size(); ++row) {
    secrets.push_back(read_secret(rows, row, client_id));
  }
  return secrets;
}

ApiClient read_client(Connection& db, const Rows& rows, int row) {
  ApiClient client;
  const bool environment = rows.is_null(row, 1);
  client.id =
      format(environment ? IdKind::environment_client : IdKind::api_client, rows.int64(row, 0));
  if (!environment) client.organization_id = format(IdKind::organization, rows.int64(row, 1));
  client.name = rows.text(row, 2);
  client.description = rows.text(row, 3);
  client.scopes = strings_from_json(rows.text(row, 4));
  client.audience = strings_from_json(rows.text(row, 5));
  client.custom_claims = claims_from_json(rows.text(row, 6));
  client.expiry_seconds = rows.int64(row, 7);
  client.create_time = rows.time(row, 8);
  client.update_time = rows.time(row, 9);
  client.secrets = find_secrets(db, rows.int64(row, 0), client.id);
  return client;
}

std::vector<ApiClient> read_clients(Connection& db, const Rows& rows) {
  std::vector<ApiClient> clients;
  for (int row = 0; row < rows.size(); ++row) {
    clients.push_back(read_client(db, rows, row));
  }
  return clients;
}

// The client at `address`, or nullopt when there is none there (including one that exists under
// another organization, or is of the other kind). With `lock`, the row stays locked until the
// transaction ends, so that read-check-write sequences on one client run one at a time.
std::optional<ApiClient> find_client_at(Connection& db, const ClientAddress& address,
                                        bool lock = false) {
  auto rows = lock ? db.query("SELECT " CLIENT_COLUMNS
                              " FROM clients WHERE id = $1 AND organization_id IS NOT DISTINCT "
                              "FROM $2 FOR UPDATE",
                              address.id, address.organization)
                   : db.query("SELECT " CLIENT_COLUMNS
                              " FROM clients WHERE id = $1 AND organization_id IS NOT DISTINCT "
                              "FROM $2",
                              address.id, address.organization);
  if (rows.empty()) return std::nullopt;
  return read_client(db, rows, 0);
}

bool lock_client_at(Connection& db, const ClientAddress& address) {
  return !db.query(
                "SELECT 1 FROM clients WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2 "
                "FOR UPDATE",
                address.id, address.organization)
              .empty();
}

std::vector<ApiClient> fetch_clients(Connection& db, std::int64_t organization, Direction direction,
                                     std::int64_t bound, std::size_t limit) {
  const auto count = static_cast<std::int64_t>(limit);
  return read_clients(db, direction == Direction::forward
                              ? db.query("SELECT " CLIENT_COLUMNS
                                         " FROM clients WHERE organization_id = $1 AND id > $2 "
                                         "ORDER BY id LIMIT $3",
                                         organization, bound, count)
                              : db.query("SELECT " CLIENT_COLUMNS
                                         " FROM clients WHERE organization_id = $1 AND id < $2 "
                                         "ORDER BY id DESC LIMIT $3",
                                         organization, bound, count));
}

bool any_client_beyond(Connection& db, std::int64_t organization, Direction direction,
                       std::int64_t bound) {
  return !(direction == Direction::forward
               ? db.query("SELECT 1 FROM clients WHERE organization_id = $1 AND id > $2 LIMIT 1",
                          organization, bound)
               : db.query("SELECT 1 FROM clients WHERE organization_id = $1 AND id < $2 LIMIT 1",
                          organization, bound))
              .empty();
}

void write_secret(Connection& db, std::int64_t id, std::int64_t client, const Secret& secret) {
  db.query(
      "INSERT INTO secrets (id, client_id, hash, suffix, status, expire_time, last_used_time, "
      "create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      id, client, Bytes{secret.hash}, secret.suffix, domain::to_string(secret.status),
      secret.expire_time, secret.last_used_time, secret.create_time, secret.update_time);
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
  // A missing organization surfaces as the foreign key's violation: not_found.
  db.query(
      "INSERT INTO clients (id, organization_id, name, description, scopes, audience, "
      "custom_claims, expiry_seconds, create_time, update_time) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      ids->id, ids->organization, client.name, client.description, strings_to_json(client.scopes),
      strings_to_json(client.audience), claims_to_json(client.custom_claims), client.expiry_seconds,
      client.create_time, client.update_time);
  write_secret(db, ids->secret, ids->id, client.secrets.front());
  // A node may remember this id as unknown (a guess that came true): it must look again.
  notify(db, client_changed(client.id));
  return client;
}

StoreResult<ApiClient> select_client(Connection& db, std::string_view client_id) {
  const auto parsed = parse_client_id(client_id);
  if (!parsed) return fail(StoreError::not_found);
  // The prefix must match the kind stored: an skc_ id never finds an m2morg_ client.
  auto rows = parsed->environment
                  ? db.query("SELECT " CLIENT_COLUMNS
                             " FROM clients WHERE id = $1 AND organization_id IS NULL",
                             parsed->number)
                  : db.query("SELECT " CLIENT_COLUMNS
                             " FROM clients WHERE id = $1 AND organization_id IS NOT NULL",
                             parsed->number);
  if (rows.empty()) return fail(StoreError::not_found);
  return read_client(db, rows, 0);
}

StoreResult<domain::ClientCredentials> select_client_credentials(Connection& db,
                                                                 std::string_view client_id) {
  const auto parsed = parse_client_id(client_id);
  if (!parsed) return fail(StoreError::not_found);
  // One round trip for the client and its secrets, without what only the management API shows.
  const auto rows = db.query(
      "SELECT c.organization_id, c.scopes, c.audience, c.custom_claims, c.expiry_seconds, s.id, "
      "s.hash, s.status, s.expire_time FROM clients c "
      "LEFT JOIN secrets s ON s.client_id = c.id WHERE c.id = $1 ORDER BY s.id",
      parsed->number);
  // The prefix must match the kind stored: an skc_ id never finds an m2morg_ client.
  if (rows.empty() || rows.is_null(0, 0) != parsed->environment) {
    return fail(StoreError::not_found);
  }
  domain::ClientCredentials client;
  client.id =
      format(parsed->environment ? IdKind::environment_client : IdKind::api_client, parsed->number);
  if (!parsed->environment) client.organization_id = format(IdKind::organization, rows.int64(0, 0));
  client.scopes = strings_from_json(rows.text(0, 1));
  client.audience = strings_from_json(rows.text(0, 2));
  client.custom_claims = claims_from_json(rows.text(0, 3));
  client.expiry_seconds = rows.int64(0, 4);
  for (int row = 0; row < rows.size() && !rows.is_null(row, 5); ++row) {
    client.secrets.push_back({format(IdKind::secret, rows.int64(row, 5)), read_hash(rows, row, 6),
                              read_status(rows, row, 7), rows.optional_time(row, 8)});
  }
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
  auto count = db.query("SELECT client_count FROM organizations WHERE id = $1", *organization);
  if (count.empty()) return fail(StoreError::not_found);
  const std::int64_t total = count.int64(0, 0);

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
  return read_clients(db, db.query("SELECT " CLIENT_COLUMNS
                                   " FROM clients WHERE organization_id IS NULL ORDER BY id"));
}

StoreResult<ApiClient> update_client(Connection& db, std::string_view organization_id,
                                     std::string_view client_id,
                                     const domain::ApiClientPatch& patch) {
  const auto address = parse_address(organization_id, client_id);
  if (!address) return fail(StoreError::not_found);
  auto client = find_client_at(db, *address, /*lock=*/true);
  if (!client) return fail(StoreError::not_found);
  if (patch.name) client->name = *patch.name;
  if (patch.description) client->description = *patch.description;
  if (patch.scopes) client->scopes = *patch.scopes;
  if (patch.audience) client->audience = *patch.audience;
  if (patch.custom_claims) client->custom_claims = *patch.custom_claims;
  if (patch.expiry_seconds) client->expiry_seconds = *patch.expiry_seconds;
  client->update_time = patch.update_time;
  db.query(
      "UPDATE clients SET name = $2, description = $3, scopes = $4, audience = $5, "
      "custom_claims = $6, expiry_seconds = $7, update_time = $8 WHERE id = $1",
      address->id, client->name, client->description, strings_to_json(client->scopes),
      strings_to_json(client->audience), claims_to_json(client->custom_claims),
      client->expiry_seconds, client->update_time);
  notify(db, client_changed(client_id));
  return std::move(*client);
}

StoreResult<void> delete_client(Connection& db, std::string_view organization_id,
                                std::string_view client_id) {
  const auto address = parse_address(organization_id, client_id);
  if (!address) return fail(StoreError::not_found);
  // Its secrets go with it (ON DELETE CASCADE).
  const auto deleted =
      db.query("DELETE FROM clients WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2",
               address->id, address->organization);
  if (deleted.affected() == 0) return fail(StoreError::not_found);
  notify(db, client_changed(client_id));
  return {};
}

StoreResult<Secret> insert_secret(Connection& db, std::string_view organization_id,
                                  const Secret& secret, std::size_t max_secrets) {
  const auto address = parse_address(organization_id, secret.client_id);
  // The client's row lock makes concurrent adds count one after the other.
  if (!address || !lock_client_at(db, *address)) return fail(StoreError::not_found);
  const auto id = number_of(IdKind::secret, secret.id);
  if (!id) return fail(StoreError::failed_precondition);
  const auto count = db.scalar("SELECT count(*) FROM secrets WHERE client_id = $1", address->id);
  if (static_cast<std::size_t>(count) >= max_secrets) return fail(StoreError::failed_precondition);
  write_secret(db, *id, address->id, secret);
  notify(db, client_changed(secret.client_id));
  return secret;
}

StoreResult<void> delete_secret(Connection& db, std::string_view organization_id,
                                std::string_view client_id, std::string_view secret_id) {
  const auto address = parse_address(organization_id, client_id);
  const auto id = number_of(IdKind::secret, secret_id);
  if (!address || !id || !lock_client_at(db, *address)) return fail(StoreError::not_found);
  if (db.query("SELECT 1 FROM secrets WHERE id = $1 AND client_id = $2", *id, address->id)
          .empty()) {
    return fail(StoreError::not_found);
  }
  // A client without secrets could never authenticate again; delete the client instead.
  if (db.scalar("SELECT count(*) FROM secrets WHERE client_id = $1", address->id) <= 1) {
    return fail(StoreError::failed_precondition);
  }
  db.query("DELETE FROM secrets WHERE id = $1", *id);
  notify(db, client_changed(client_id));
  return {};
}

StoreResult<void> record_secret_uses(Connection& db, std::span<const SecretUse> uses) {
  // One statement for the batch, the latest time per secret, in id order so that two nodes
  // flushing overlapping batches lock rows in the same order.
  std::map<std::int64_t, std::int64_t> latest;
  for (const SecretUse& use : uses) {
    const auto id = number_of(IdKind::secret, use.secret_id);
    if (!id) continue;
    auto& time = latest[*id];
    time = std::max(time, domain::to_unix_micros(use.used_at));
  }
  if (latest.empty()) return {};
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> times;
  for (const auto& [id, time] : latest) {
    ids.push_back(id);
    times.push_back(time);
  }
  // Never moves last_used_time backwards: flushes from several nodes may arrive out of order.
  db.query(
      "UPDATE secrets s SET last_used_time = GREATEST(coalesce(s.last_used_time, u.t), u.t) "
      "FROM unnest($1::bigint[], $2::bigint[]) AS u(id, t) WHERE s.id = u.id",
      Int64Array{ids}, Int64Array{times});
  return {};
}

}  // namespace tessera::store::postgres::queries
