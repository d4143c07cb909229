// Lists and maps stored as JSON text columns (scopes, audience, custom_claims, metadata).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "server/domain/entities.hpp"
#include "server/store/sqlite/connection.hpp"

namespace tessera::store::sqlite {

std::string strings_to_json(const std::vector<std::string>& strings);
std::vector<std::string> strings_from_json(const std::string& json);

std::string metadata_to_json(const std::map<std::string, std::string>& metadata);
std::map<std::string, std::string> metadata_from_json(const std::string& json);

// [[key, value], ...] keeps the order and allows any key.
std::string claims_to_json(const std::vector<domain::CustomClaim>& claims);
std::vector<domain::CustomClaim> claims_from_json(const std::string& json);

}  // namespace tessera::store::sqlite
