#include "server/manage/service.hpp"

#include <spdlog/spdlog.h>

namespace tessera::manage {
namespace {

using store::StoreError;

Error invalid(domain::FieldViolations violations) {
  std::string message = violations.empty()
                            ? std::string("invalid argument")
                            : violations.front().field + ": " + violations.front().description;
  return Error{ErrorKind::invalid_argument, std::move(message), std::move(violations)};
}

// What a store error means to a management caller. `what` names the object for not_found.
Error from_store(StoreError error, std::string_view what) {
  switch (error) {
    case StoreError::not_found:
      return {ErrorKind::not_found, std::string(what) + " not found", {}};
    case StoreError::already_exists:
      return {ErrorKind::already_exists, "external_id is already used by another organization", {}};
    case StoreError::failed_precondition:
      return {ErrorKind::failed_precondition, "the request conflicts with the current state", {}};
    case StoreError::invalid_page_token:
      return invalid({{"page_token", "is not a page token of this list"}});
    case StoreError::unavailable:
      return {ErrorKind::unavailable, "storage temporarily unavailable", {}};
  }
  return {ErrorKind::internal, "internal error", {}};
}

template <class T>
ManageResult<T> pass(store::StoreResult<T>&& result, std::string_view what) {
  if (!result) return fail(from_store(result.error(), what));
  return std::move(*result);
}

bool valid_id(domain::IdKind kind, std::string_view id) {
  return domain::parse_id(kind, id).has_value();
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument:
      return "invalid argument";
    case ErrorKind::not_found:
      return "not found";
    case ErrorKind::already_exists:
      return "already exists";
    case ErrorKind::failed_precondition:
      return "failed precondition";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::internal:
      return "internal";
  }
  return "error";
}

Service::Service(store::Store& store, domain::IdGenerator& ids, const auth::SecretHasher& hasher,
                 auth::ClientCache& cache, domain::ClientPolicy policy)
    : store_(store), ids_(ids), hasher_(hasher), cache_(cache), policy_(policy) {}

// --- Organizations ---------------------------------------------------------------------------

ManageResult<domain::Organization> Service::create_organization(const OrganizationDraft& draft) {
  domain::Organization organization;
  organization.id = ids_.next(domain::IdKind::organization);
  organization.display_name = draft.display_name;
  organization.external_id = draft.external_id;
  organization.metadata = draft.metadata;
  organization.create_time = organization.update_time = domain::now();
  if (auto violations = domain::validate_organization(organization); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  return pass(store_.create_organization(organization), "organization");
}

ManageResult<domain::Organization> Service::get_organization(std::string_view id) {
  if (!valid_id(domain::IdKind::organization, id))
    return fail(from_store(StoreError::not_found, "organization"));
  return pass(store_.get_organization(id), "organization");
}

ManageResult<store::Page<domain::Organization>> Service::list_organizations(
    const store::PageRequest& request) {
  if (auto violations = domain::validate_page_size(request.page_size); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  return pass(store_.list_organizations(request), "organization");
}

ManageResult<domain::Organization> Service::update_organization(std::string_view id,
                                                                domain::OrganizationPatch patch) {
  if (!valid_id(domain::IdKind::organization, id))
    return fail(from_store(StoreError::not_found, "organization"));
  if (auto violations = domain::validate_organization_patch(patch); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  patch.update_time = domain::now();
  return pass(store_.update_organization(id, patch), "organization");
}

ManageResult<void> Service::delete_organization(std::string_view id) {
  if (!valid_id(domain::IdKind::organization, id))
    return fail(from_store(StoreError::not_found, "organization"));
  auto deleted = store_.delete_organization(id);
  if (!deleted) return fail(from_store(deleted.error(), "organization"));
  for (const auto& client_id : *deleted)
    cache_.erase(client_id);
  return {};
}

// --- Clients ---------------------------------------------------------------------------------

ManageResult<domain::Secret> Service::new_secret(std::string_view client_id, std::string_view plain,
                                                 std::string_view suffix,
                                                 domain::Timestamp now) const {
  domain::Secret secret;
  secret.id = ids_.next(domain::IdKind::secret);
  secret.client_id = std::string(client_id);
  secret.hash = hasher_.hash(plain);
  secret.suffix = std::string(suffix);
  secret.status = domain::SecretStatus::active;
  secret.create_time = secret.update_time = now;
  // As the Scalekit API does (see the seed's sample response): a new secret counts as used at
  // creation, so last_used_time is always present.
  secret.last_used_time = now;
  return secret;
}

ManageResult<CreatedClient> Service::create_client(std::string_view organization_id,
                                                   const ClientDraft& draft) {
  if (!valid_id(domain::IdKind::organization, organization_id)) {
    return fail(from_store(StoreError::not_found, "organization"));
  }
  const auto now = domain::now();
  domain::ApiClient client;
  client.id = ids_.next(domain::IdKind::api_client);
  client.organization_id = std::string(organization_id);
  client.name = draft.name;
  client.description = draft.description;
  client.scopes = draft.scopes;
  client.audience = draft.audience;
  client.custom_claims = draft.custom_claims;
  client.expiry_seconds = domain::effective_expiry(draft.expiry_seconds, policy_);
  client.create_time = client.update_time = now;
  if (auto violations = domain::validate_client(client, policy_); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  const auto generated = auth::generate_secret();
  if (!generated) return fail(Error{ErrorKind::internal, "secret generation failed", {}});
  auto secret = new_secret(client.id, generated->plain, generated->suffix, now);
  client.secrets.push_back(std::move(*secret));

  auto stored = store_.create_client(client);
  if (!stored) return fail(from_store(stored.error(), "organization"));
  // The id may have been probed before it existed; forget that it was unknown.
  cache_.erase(client.id);
  return CreatedClient{std::move(*stored), generated->plain};
}

ManageResult<domain::ApiClient> Service::get_client(std::string_view organization_id,
                                                    std::string_view client_id) {
  if (!valid_id(domain::IdKind::api_client, client_id))
    return fail(from_store(StoreError::not_found, "client"));
  return pass(store_.get_organization_client(organization_id, client_id), "client");
}

ManageResult<store::Page<domain::ApiClient>> Service::list_clients(
    std::string_view organization_id, const store::PageRequest& request) {
  if (auto violations = domain::validate_page_size(request.page_size); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  if (!valid_id(domain::IdKind::organization, organization_id)) {
    return fail(from_store(StoreError::not_found, "organization"));
  }
  return pass(store_.list_clients(organization_id, request), "organization");
}

ManageResult<domain::ApiClient> Service::update_client(std::string_view organization_id,
                                                       std::string_view client_id,
                                                       domain::ApiClientPatch patch) {
  if (!valid_id(domain::IdKind::api_client, client_id))
    return fail(from_store(StoreError::not_found, "client"));
  if (auto violations = domain::validate_client_patch(patch, policy_); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  patch.update_time = domain::now();
  auto updated = pass(store_.update_client(organization_id, client_id, patch), "client");
  cache_.erase(client_id);
  return updated;
}

ManageResult<void> Service::delete_client(std::string_view organization_id,
                                          std::string_view client_id) {
  if (!valid_id(domain::IdKind::api_client, client_id))
    return fail(from_store(StoreError::not_found, "client"));
  auto deleted = store_.delete_client(organization_id, client_id);
  cache_.erase(client_id);
  if (!deleted) return fail(from_store(deleted.error(), "client"));
  return {};
}

// --- Secrets ---------------------------------------------------------------------------------

ManageResult<CreatedSecret> Service::add_secret(std::string_view organization_id,
                                                std::string_view client_id) {
  if (!valid_id(domain::IdKind::api_client, client_id))
    return fail(from_store(StoreError::not_found, "client"));
  const auto generated = auth::generate_secret();
  if (!generated) return fail(Error{ErrorKind::internal, "secret generation failed", {}});
  auto secret = new_secret(client_id, generated->plain, generated->suffix, domain::now());
  auto stored = store_.add_secret(organization_id, *secret, domain::kMaxSecretsPerClient);
  cache_.erase(client_id);
  if (!stored) {
    if (stored.error() == StoreError::failed_precondition) {
      return fail(Error{
          ErrorKind::failed_precondition,
          "a client can have at most " + std::to_string(domain::kMaxSecretsPerClient) + " secrets",
          {}});
    }
    return fail(from_store(stored.error(), "client"));
  }
  return CreatedSecret{std::move(*stored), generated->plain};
}

ManageResult<void> Service::delete_secret(std::string_view organization_id,
                                          std::string_view client_id, std::string_view secret_id) {
  if (!valid_id(domain::IdKind::api_client, client_id))
    return fail(from_store(StoreError::not_found, "client"));
  if (!valid_id(domain::IdKind::secret, secret_id))
    return fail(from_store(StoreError::not_found, "secret"));
  auto deleted = store_.delete_secret(organization_id, client_id, secret_id);
  cache_.erase(client_id);
  if (!deleted) {
    if (deleted.error() == StoreError::failed_precondition) {
      return fail(Error{ErrorKind::failed_precondition,
                        "cannot delete the last secret of a client; add another one first",
                        {}});
    }
    return fail(from_store(deleted.error(), "secret"));
  }
  return {};
}

// --- Environment clients ---------------------------------------------------------------------

ManageResult<CreatedClient> Service::create_environment_client(std::string name) {
  const auto now = domain::now();
  domain::ApiClient client;
  client.id = ids_.next(domain::IdKind::environment_client);
  client.name = std::move(name);
  client.create_time = client.update_time = now;
  const auto generated = auth::generate_secret();
  if (!generated) return fail(Error{ErrorKind::internal, "secret generation failed", {}});
  client.secrets.push_back(*new_secret(client.id, generated->plain, generated->suffix, now));
  auto stored = store_.create_client(client);
  if (!stored) return fail(from_store(stored.error(), "client"));
  cache_.erase(client.id);
  return CreatedClient{std::move(*stored), generated->plain};
}

ManageResult<void> Service::ensure_environment_client(std::string_view client_id,
                                                      std::string_view plain_secret) {
  if (!valid_id(domain::IdKind::environment_client, client_id)) {
    return fail(invalid({{"client_id", "must be an skc_ id, e.g. skc_1234567890"}}));
  }
  if (plain_secret.size() < kMinConfiguredSecretLength ||
      plain_secret.size() > auth::kMaxSecretLength) {
    return fail(invalid({{"client_secret", "must be 32 to 256 characters"}}));
  }
  const auto now = domain::now();
  const std::string suffix(plain_secret.substr(plain_secret.size() - auth::kSecretSuffixLength));
  auto existing = store_.get_client(client_id);
  if (!existing) {
    if (existing.error() != StoreError::not_found)
      return fail(from_store(existing.error(), "client"));
    domain::ApiClient client;
    client.id = std::string(client_id);
    client.name = "admin (configured)";
    client.create_time = client.update_time = now;
    client.secrets.push_back(*new_secret(client_id, plain_secret, suffix, now));
    auto stored = store_.create_client(client);
    cache_.erase(client_id);
    // Another node sharing the database created it a moment ago: check that one's secrets.
    if (!stored && stored.error() == StoreError::already_exists) {
      return ensure_environment_client(client_id, plain_secret);
    }
    if (!stored) return fail(from_store(stored.error(), "client"));
    return {};
  }
  const auto hash = hasher_.hash(plain_secret);
  for (const auto& secret : existing->secrets) {
    if (secret.hash == hash) return {};
  }
  auto added = store_.add_secret("", *new_secret(client_id, plain_secret, suffix, now),
                                 domain::kMaxSecretsPerClient);
  cache_.erase(client_id);
  if (!added) return fail(from_store(added.error(), "client"));
  return {};
}

ManageResult<std::vector<domain::ApiClient>> Service::list_environment_clients() {
  return pass(store_.list_environment_clients(), "client");
}

// --- Audit log -------------------------------------------------------------------------------

void Service::audit(const Caller& caller, std::string_view action, std::string_view target_id,
                    std::string_view organization_id, bool succeeded) {
  domain::AuditEvent event;
  event.id = ids_.next(domain::IdKind::audit_event);
  event.time = domain::now();
  event.actor = caller.actor;
  event.action = std::string(action);
  event.target_id = std::string(target_id);
  event.organization_id = std::string(organization_id);
  event.source_address = caller.source_address;
  event.outcome = succeeded ? domain::AuditOutcome::success : domain::AuditOutcome::failure;
  if (auto written = store_.append_audit_events(std::span(&event, 1)); !written) {
    spdlog::error("audit log write failed for {} {}: {}", action, target_id,
                  store::to_string(written.error()));
  }
}

ManageResult<store::Page<domain::AuditEvent>> Service::list_audit_events(
    const store::PageRequest& request, const store::AuditFilter& filter) {
  if (auto violations = domain::validate_page_size(request.page_size); !violations.empty()) {
    return fail(invalid(std::move(violations)));
  }
  return pass(store_.list_audit_events(request, filter), "audit event");
}

}  // namespace tessera::manage
