#include "server/domain/entities.hpp"

namespace tessera::domain {

std::string_view to_string(SecretStatus status) {
  switch (status) {
    case SecretStatus::active:
      return "ACTIVE";
    case SecretStatus::inactive:
      return "INACTIVE";
  }
  return "INACTIVE";
}

std::optional<SecretStatus> parse_secret_status(std::string_view name) {
  if (name == "ACTIVE") return SecretStatus::active;
  if (name == "INACTIVE") return SecretStatus::inactive;
  return std::nullopt;
}

std::string_view to_string(AuditOutcome outcome) {
  return outcome == AuditOutcome::success ? "SUCCESS" : "FAILURE";
}

std::optional<AuditOutcome> parse_audit_outcome(std::string_view name) {
  if (name == "SUCCESS") return AuditOutcome::success;
  if (name == "FAILURE") return AuditOutcome::failure;
  return std::nullopt;
}

ClientCredentials credentials_of(const ApiClient& client) {
  ClientCredentials credentials{client.id,
                                client.organization_id,
                                client.scopes,
                                client.audience,
                                client.custom_claims,
                                client.expiry_seconds,
                                {}};
  for (const auto& secret : client.secrets) {
    credentials.secrets.push_back({secret.id, secret.hash, secret.status, secret.expire_time});
  }
  return credentials;
}

}  // namespace tessera::domain
