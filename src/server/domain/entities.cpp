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

}  // namespace tessera::domain
