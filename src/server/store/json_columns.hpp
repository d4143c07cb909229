// Lists and maps stored as JSON text columns (scopes, audience, custom_claims, metadata), the same
// way in every backend.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"

namespace tessera::store {

// Thrown for values the domain layer should have refused (say, invalid UTF-8); backends map it to
// failed_precondition.
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

std::string strings_to_json(const std::vector<std::string>& strings);
// The two parsers below remember each thread's last few results by exact text (see the .cpp).
std::vector<std::string> strings_from_json(std::string_view json);

std::string metadata_to_json(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> metadata_from_json(const std::string& json);

// [[key, value], ...] keeps the order and allows any key.
std::string claims_to_json(const std::vector<domain::CustomClaim>& claims);
std::vector<domain::CustomClaim> claims_from_json(std::string_view json);

}  // namespace tessera::store
