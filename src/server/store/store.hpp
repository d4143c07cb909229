// The one storage interface the rest of the server talks to. Backends (sqlite/, postgres/)
// implement it; nothing here knows SQL.
//
// Every method is synchronous and thread-safe. A write is durable when it returns success. Stores
// never read a clock: ids and times come from the caller (domain::IdGenerator, domain::now()).
//
// Clients are addressed as (organization_id, client_id); an empty organization_id addresses an
// environment (skc_) client. A client asked for under an organization it does not belong to is
// not_found, exactly as if it did not exist. A malformed id is not_found too.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
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

// What a committed write changed, for caches on this and other nodes (PostgreSQL: LISTEN/NOTIFY;
// SQLite: in-process). Delivery is at most once: after `resync` a subscriber must assume it missed
// changes and drop everything it derived from the store.
struct Change {
  enum class Kind {
    client,                // a client or one of its secrets was created, changed or deleted
    organization_deleted,  // its clients come as `client` changes (or as one `resync`)
    signing_keys,          // a key was inserted, retired or deleted
    resync,                // changes may have been missed (e.g. the feed reconnected)
  } kind;
  std::string id;  // the client or organization id; empty for signing_keys and resync

  bool operator==(const Change&) const = default;
};

// Unsubscribes when destroyed; the callback is not running and will not run once it is gone.
class ChangeSubscription {
 public:
  virtual ~ChangeSubscription() = default;
};

// A lease on one of the 2^16 node ids of the id layout, so that nodes sharing a database never
// mint the same id (domain/ids.hpp).
struct NodeLease {
  std::uint16_t node_id;
  domain::Timestamp expire_time;
};

// Filters of list_audit_events; absent fields match everything.
struct AuditFilter {
  std::optional<std::string> organization_id;
  std::optional<std::string> actor;
  std::optional<std::string> target_id;
  std::optional<std::string> action;

  bool operator==(const AuditFilter&) const = default;
};

// Why a store could not be opened. Unlike StoreError, this ends start-up with a message.
struct OpenFailure {
  enum class Reason { cannot_open, schema_too_new, schema_too_old, migration_failed } reason;
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
  // Any client by id alone (m2morg_ or skc_), with its secrets.
  virtual StoreResult<domain::ApiClient> get_client(std::string_view client_id) = 0;
  // The same lookup narrowed to what the token endpoint needs: its cold path, one query.
  virtual StoreResult<domain::ClientCredentials> get_client_credentials(
      std::string_view client_id) = 0;
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
  // First start: inserts `key` only if no stored key can still sign at `now` (none, or all retired
  // by then), atomically across nodes. Returns whether it was inserted; when another node won the
  // race the caller loads that node's key instead.
  virtual StoreResult<bool> insert_first_signing_key(const domain::SigningKeyRecord& key,
                                                     domain::Timestamp now) = 0;
  // Rotation in one transaction: inserts `key` and retires every other key at key.activate_time
  // (keys already retiring earlier keep their time). Concurrent rotations from several nodes are
  // serialized, so each adds exactly one key and the retire times stay ordered.
  virtual StoreResult<void> rotate_signing_key(const domain::SigningKeyRecord& key) = 0;

  // --- Settings: small server-wide values (bytes) ----------------------------------------------
  virtual StoreResult<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual StoreResult<void> put_setting(std::string_view key, std::string_view value) = 0;
  // Stores `value` unless the key already has one; returns the value stored either way, so that
  // concurrent first starts agree on one.
  virtual StoreResult<std::string> put_setting_if_absent(std::string_view key,
                                                         std::string_view value) = 0;

  // --- Audit log (append-only; never holds a secret value) ------------------------------------
  // already_exists when an event id is taken (nothing of the batch is stored then).
  virtual StoreResult<void> append_audit_events(std::span<const domain::AuditEvent> events) = 0;
  // Newest first. total_size counts the events that match the filter.
  virtual StoreResult<Page<domain::AuditEvent>> list_audit_events(const PageRequest& request,
                                                                  const AuditFilter& filter) = 0;

  // --- Several nodes on one database -----------------------------------------------------------
  // Takes a node id for `holder` (a string unique to the process) until now + ttl: `wanted` if
  // given and not held by another holder (else failed_precondition), otherwise a free id, the one
  // whose lease ended longest ago first, so a crashed node's id is reused last.
  virtual StoreResult<NodeLease> acquire_node_lease(std::string_view holder,
                                                    std::optional<std::uint16_t> wanted,
                                                    domain::Timestamp now,
                                                    std::chrono::seconds ttl) = 0;
  // Extends the lease; not_found when `holder` no longer holds `node_id` (it expired and another
  // node took it: the caller must stop minting ids with it).
  virtual StoreResult<NodeLease> renew_node_lease(std::uint16_t node_id, std::string_view holder,
                                                  domain::Timestamp now,
                                                  std::chrono::seconds ttl) = 0;
  // Ends the lease at `now` (if `holder` still has it); the id stays last in line for reuse.
  virtual StoreResult<void> release_node_lease(std::uint16_t node_id, std::string_view holder,
                                               domain::Timestamp now) = 0;
  // Nodes whose lease has not expired at `now`: lets per-node limits be divided among nodes.
  virtual StoreResult<std::int64_t> count_live_nodes(domain::Timestamp now) = 0;

  // Shared brute-force counters: adds one failure to `key` in the fixed window of length `window`
  // that contains `now`, and returns the window's count so far. PostgreSQL keeps them in an
  // UNLOGGED table shared by all nodes (lost on a database crash, which only forgives a few
  // failures); SQLite, being one node, in memory.
  virtual StoreResult<std::int64_t> increment_failure_counter(std::string_view key,
                                                              std::chrono::seconds window,
                                                              domain::Timestamp now) = 0;

  // --- Change feed -----------------------------------------------------------------------------
  // `on_change` runs on a store thread after each committed change (on every node for
  // PostgreSQL). It must be quick and must not call back into the store or the subscription.
  virtual std::unique_ptr<ChangeSubscription> subscribe(
      std::function<void(const Change&)> on_change) = 0;

  // --- Lifecycle -------------------------------------------------------------------------------
  // True when a single-row read is answered in this process from local files (SQLite) in
  // microseconds, without waiting on a lock the writer holds: cheaper to run on an I/O thread
  // than the two thread switches of handing it to the worker pool. False when a read crosses the
  // network (PostgreSQL) and must never block an I/O thread.
  virtual bool reads_are_local() const { return false; }
  // Succeeds when the database answers a trivial query (readiness probes).
  virtual StoreResult<void> ping() = 0;
  // Finishes queued writes, then makes every later call fail with unavailable.
  virtual void close() = 0;
};

}  // namespace tessera::store
