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

}  // namespace tessera::domain
