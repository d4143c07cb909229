// The one storage interface the rest of the server talks to. Backends (sqlite/, later postgres/)
// implement it; nothing here knows SQL.
//
// Every method is synchronous and thread-safe. A write is durable when it returns success. Stores
// never read a clock: ids and times come from the caller (domain::IdGenerator, domain::now()).
//
// Clients are addressed as (organization_id, client_id); an empty organization_id addresses an
// environment (skc_) client. A client asked for under an organization it does not belong to is
// not_found, exactly as if it did not exist. A malformed id is not_found too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"
#include "tessera/result.hpp"

namespace tessera::store {

enum class StoreError {
  not_found,
  already_exists,       // id, or an organization's external_id, already taken
  failed_precondition,  // secret limit reached, last secret, inconsistent input
  invalid_page_token,
  unavailable,  // busy, I/O error, disk full, read-only, closed: retry later (503)
};

std::string_view to_string(StoreError error);

template <class T>
using StoreResult = Result<T, StoreError>;

// page_size 0 means 10, values above 100 are coerced to 100 (AIP-158); negative sizes are
// rejected by domain::validate_page_size before they get here and are treated as 0.
struct PageRequest {
  std::int64_t page_size = 0;
  std::string page_token;  // empty: first page
};

// Items are ordered by id, which is creation order. Tokens are opaque and valid only for the
// list they came from; empty when there is no page in that direction.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
  std::string prev_page_token;
  std::int64_t total_size = 0;
};

struct SecretUse {
  std::string secret_id;
  domain::Timestamp used_at;
};

// Why a store could not be opened. Unlike StoreError, this ends start-up with a message.
struct OpenFailure {
  enum class Reason { cannot_open, schema_too_new, migration_failed } reason;
  std::string message;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- Organizations ---------------------------------------------------------------------------
  // already_exists when the id or the external_id is taken.
  virtual StoreResult<domain::Organization> create_organization(
      const domain::Organization& organization) = 0;
  virtual StoreResult<domain::Organization> get_organization(std::string_view id) = 0;
  virtual StoreResult<domain::Organization> get_organization_by_external_id(
      std::string_view external_id) = 0;
  virtual StoreResult<Page<domain::Organization>> list_organizations(
      const PageRequest& request) = 0;
  // already_exists when the new external_id belongs to another organization.
  virtual StoreResult<domain::Organization> update_organization(
      std::string_view id, const domain::OrganizationPatch& patch) = 0;
  // Deletes the organization with its clients and their secrets; returns the deleted client ids
  // so that caches can drop them.
  virtual StoreResult<std::vector<std::string>> delete_organization(std::string_view id) = 0;

  // --- Clients ---------------------------------------------------------------------------------
  // Stores the client and its first secret in one transaction: client.secrets must hold exactly
  // one secret (else failed_precondition). An m2morg_ client needs an existing organization
  // (else not_found), an skc_ client none. Returns the client as stored.
  virtual StoreResult<domain::ApiClient> create_client(const domain::ApiClient& client) = 0;
  // Any client by id alone (m2morg_ or skc_), with its secrets: the token endpoint's lookup.
  virtual StoreResult<domain::ApiClient> get_client(std::string_view client_id) = 0;
  // The client only if it belongs to `organization_id` ("" for environment clients).
  virtual StoreResult<domain::ApiClient> get_organization_client(std::string_view organization_id,
                                                                 std::string_view client_id) = 0;
  // not_found when the organization does not exist.
  virtual StoreResult<Page<domain::ApiClient>> list_clients(std::string_view organization_id,
                                                            const PageRequest& request) = 0;
  virtual StoreResult<std::vector<domain::ApiClient>> list_environment_clients() = 0;
  virtual StoreResult<domain::ApiClient> update_client(std::string_view organization_id,
                                                       std::string_view client_id,
                                                       const domain::ApiClientPatch& patch) = 0;
  virtual StoreResult<void> delete_client(std::string_view organization_id,
                                          std::string_view client_id) = 0;

  // --- Secrets ---------------------------------------------------------------------------------
  // Adds secret to the client secret.client_id names, if that client belongs to
  // `organization_id`. failed_precondition when the client already has `max_secrets`.
  virtual StoreResult<domain::Secret> add_secret(std::string_view organization_id,
                                                 const domain::Secret& secret,
                                                 std::size_t max_secrets) = 0;
  // not_found unless the secret is one of that client's; failed_precondition for its last one.
  virtual StoreResult<void> delete_secret(std::string_view organization_id,
                                          std::string_view client_id,
                                          std::string_view secret_id) = 0;
  // One write for many token requests: sets each secret's last_used_time to the later of the
  // stored value and `used_at`. Unknown (deleted) secrets are skipped.
  virtual StoreResult<void> record_secret_uses(std::span<const SecretUse> uses) = 0;

  // --- Signing keys ----------------------------------------------------------------------------
  virtual StoreResult<void> insert_signing_key(const domain::SigningKeyRecord& key) = 0;
  // All keys, oldest first.
  virtual StoreResult<std::vector<domain::SigningKeyRecord>> list_signing_keys() = 0;
  virtual StoreResult<void> set_signing_key_retire_time(
      std::string_view id, std::optional<domain::Timestamp> retire_time) = 0;
  virtual StoreResult<void> delete_signing_key(std::string_view id) = 0;

  // --- Settings: small server-wide values (bytes) ----------------------------------------------
  virtual StoreResult<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual StoreResult<void> put_setting(std::string_view key, std::string_view value) = 0;
  // Stores `value` unless the key already has one; returns the value stored either way, so that
  // concurrent first starts agree on one.
  virtual StoreResult<std::string> put_setting_if_absent(std::string_view key,
                                                         std::string_view value) = 0;

  // --- Lifecycle -------------------------------------------------------------------------------
  // Succeeds when the database answers a trivial query (readiness probes).
  virtual StoreResult<void> ping() = 0;
  // Finishes queued writes, then makes every later call fail with unavailable.
  virtual void close() = 0;
};

}  // namespace tessera::store
