// The management use cases behind the REST API and the CLI: validate, mint ids and secrets, write
// through the store, and drop whatever the token endpoint cached about what changed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/client_cache.hpp"
#include "server/auth/secrets.hpp"
#include "server/domain/ids.hpp"
#include "server/domain/validation.hpp"
#include "server/store/store.hpp"
#include "tessera/result.hpp"

namespace tessera::manage {

enum class ErrorKind {
  invalid_argument,
  not_found,
  already_exists,
  failed_precondition,
  unavailable,
  internal,
};

struct Error {
  ErrorKind kind;
  std::string message;
  domain::FieldViolations violations;
};

template <class T>
using ManageResult = Result<T, Error>;

struct OrganizationDraft {
  std::string display_name{};
  std::optional<std::string> external_id{};
  std::map<std::string, std::string> metadata{};
};

struct ClientDraft {
  std::string name{};
  std::string description{};
  std::vector<std::string> scopes{};
  std::vector<std::string> audience{};
  std::vector<domain::CustomClaim> custom_claims{};
  std::optional<std::int64_t> expiry_seconds{};  // absent or 0: the default
};

struct CreatedClient {
  domain::ApiClient client;
  std::string plain_secret;  // shown once, never stored
};

struct CreatedSecret {
  domain::Secret secret;
  std::string plain_secret;
};

// Who asked for a change and from where, for the audit log.
struct Caller {
  std::string actor;           // the management token's client id
  std::string source_address;  // as the HTTP layer resolved it
};

// Configured admin credentials must be at least this long to be accepted.
inline constexpr std::size_t kMinConfiguredSecretLength = 32;

class Service {
 public:
  Service(store::Store& store, domain::IdGenerator& ids, const auth::SecretHasher& hasher,
          auth::ClientCache& cache, domain::ClientPolicy policy);

  ManageResult<domain::Organization> create_organization(const OrganizationDraft& draft);
  ManageResult<domain::Organization> get_organization(std::string_view id);
  ManageResult<store::Page<domain::Organization>> list_organizations(
      const store::PageRequest& request);
  ManageResult<domain::Organization> update_organization(std::string_view id,
                                                         domain::OrganizationPatch patch);
  ManageResult<void> delete_organization(std::string_view id);

  ManageResult<CreatedClient> create_client(std::string_view organization_id,
                                            const ClientDraft& draft);
  ManageResult<domain::ApiClient> get_client(std::string_view organization_id,
                                             std::string_view client_id);
  ManageResult<store::Page<domain::ApiClient>> list_clients(std::string_view organization_id,
                                                            const store::PageRequest& request);
  ManageResult<domain::ApiClient> update_client(std::string_view organization_id,
                                                std::string_view client_id,
                                                domain::ApiClientPatch patch);
  ManageResult<void> delete_client(std::string_view organization_id, std::string_view client_id);

  ManageResult<CreatedSecret> add_secret(std::string_view organization_id,
                                         std::string_view client_id);
  ManageResult<void> delete_secret(std::string_view organization_id, std::string_view client_id,
                                   std::string_view secret_id);

  // Environment (skc_) clients: the credentials that call the management API.
  ManageResult<CreatedClient> create_environment_client(std::string name);
  // Makes sure the configured admin client exists and accepts `plain_secret`.
  ManageResult<void> ensure_environment_client(std::string_view client_id,
                                               std::string_view plain_secret);
  ManageResult<std::vector<domain::ApiClient>> list_environment_clients();

  // Appends one audit event (never with a secret value). A failure to write it is logged, not
  // returned: the change it describes has already happened.
  void audit(const Caller& caller, std::string_view action, std::string_view target_id,
             std::string_view organization_id, bool succeeded);
  ManageResult<store::Page<domain::AuditEvent>> list_audit_events(const store::PageRequest& request,
                                                                  const store::AuditFilter& filter);

 private:
  ManageResult<domain::Secret> new_secret(std::string_view client_id, std::string_view plain,
                                          std::string_view suffix, domain::Timestamp now) const;

  store::Store& store_;
  domain::IdGenerator& ids_;
  const auth::SecretHasher& hasher_;
  auth::ClientCache& cache_;
  domain::ClientPolicy policy_;
};

std::string_view to_string(ErrorKind kind);

}  // namespace tessera::manage
