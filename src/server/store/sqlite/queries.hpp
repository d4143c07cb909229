// The SQL behind each Store operation, as functions of one connection. The caller (SqliteStore)
// decides the transaction: reads run in a reader's snapshot, writes in the writer's batch. SQLite
// failures are thrown (SqliteError) and mapped by the caller.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace tessera::store::sqlite::queries {

using domain::ApiClient;
using domain::Organization;

// Organizations (organization_queries.cpp)
StoreResult<Organization> insert_organization(Connection& db, const Organization& organization);
StoreResult<Organization> select_organization(Connection& db, std::string_view id);
StoreResult<Organization> select_organization_by_external_id(Connection& db,
                                                             std::string_view external_id);
StoreResult<Page<Organization>> list_organizations(Connection& db, const PageRequest& request);
StoreResult<Organization> update_organization(Connection& db, std::string_view id,
                                              const domain::OrganizationPatch& patch);
StoreResult<std::vector<std::string>> delete_organization(Connection& db, std::string_view id);

// Clients and secrets (client_queries.cpp)
StoreResult<ApiClient> insert_client(Connection& db, const ApiClient& client);
StoreResult<ApiClient> select_client(Connection& db, std::string_view client_id);
// One statement: the store runs it without BEGIN and COMMIT (ReaderPool::read_one_statement).
StoreResult<domain::ClientCredentials> select_client_credentials(Connection& db,
                                                                 std::string_view client_id);
StoreResult<ApiClient> select_organization_client(Connection& db, std::string_view organization_id,
                                                  std::string_view client_id);
StoreResult<Page<ApiClient>> list_clients(Connection& db, std::string_view organization_id,
                                          const PageRequest& request);
StoreResult<std::vector<ApiClient>> list_environment_clients(Connection& db);
StoreResult<ApiClient> update_client(Connection& db, std::string_view organization_id,
                                     std::string_view client_id,
                                     const domain::ApiClientPatch& patch);
StoreResult<void> delete_client(Connection& db, std::string_view organization_id,
                                std::string_view client_id);
StoreResult<domain::Secret> insert_secret(Connection& db, std::string_view organization_id,
                                          const domain::Secret& secret, std::size_t max_secrets);
StoreResult<void> delete_secret(Connection& db, std::string_view organization_id,
                                std::string_view client_id, std::string_view secret_id);
StoreResult<void> record_secret_uses(Connection& db, std::span<const SecretUse> uses);

// Signing keys and settings (key_queries.cpp)
StoreResult<void> insert_signing_key(Connection& db, const domain::SigningKeyRecord& key);
StoreResult<bool> insert_first_signing_key(Connection& db, const domain::SigningKeyRecord& key,
                                           domain::Timestamp now);
StoreResult<void> rotate_signing_key(Connection& db, const domain::SigningKeyRecord& key);
StoreResult<std::vector<domain::SigningKeyRecord>> list_signing_keys(Connection& db);
StoreResult<void> set_signing_key_retire_time(Connection& db, std::string_view id,
                                              std::optional<domain::Timestamp> retire_time);
StoreResult<void> delete_signing_key(Connection& db, std::string_view id);
StoreResult<std::optional<std::string>> select_setting(Connection& db, std::string_view key);
StoreResult<void> upsert_setting(Connection& db, std::string_view key, std::string_view value);
StoreResult<std::string> insert_setting_if_absent(Connection& db, std::string_view key,
                                                  std::string_view value);

// Audit log (audit_queries.cpp)
StoreResult<void> insert_audit_events(Connection& db, std::span<const domain::AuditEvent> events);
StoreResult<Page<domain::AuditEvent>> list_audit_events(Connection& db, const PageRequest& request,
                                                        const AuditFilter& filter);

// Node leases (node_queries.cpp)
StoreResult<NodeLease> acquire_node_lease(Connection& db, std::string_view holder,
                                          std::optional<std::uint16_t> wanted,
                                          domain::Timestamp now, std::chrono::seconds ttl);
StoreResult<NodeLease> renew_node_lease(Connection& db, std::uint16_t node_id,
                                        std::string_view holder, domain::Timestamp now,
                                        std::chrono::seconds ttl);
StoreResult<void> release_node_lease(Connection& db, std::uint16_t node_id, std::string_view holder,
                                     domain::Timestamp now);
StoreResult<std::int64_t> count_live_nodes(Connection& db, domain::Timestamp now);

}  // namespace tessera::store::sqlite::queries
