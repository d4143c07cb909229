#include "server/store/json_columns.hpp"

#include <nlohmann/json.hpp>

namespace tessera::store {
namespace {

using nlohmann::json;

std::string dump(const json& value) {
  try {
    return value.dump();
  } catch (const json::type_error&) {
    throw InvalidInput("text is not valid UTF-8");
  }
}

// Stored JSON comes from dump() above; anything else means a damaged database, which the
// store reports as unavailable (parse and type errors are std::exceptions).
json parse(const std::string& text) {
  return json::parse(text);
}

}  // namespace

std::string strings_to_json(const std::vector<std::string>& strings) {
  return dump(json(strings));
}

std::vector<std::string> strings_from_json(const std::string& text) {
  return parse(text).get<std::vector<std::string>>();
}

std::string metadata_to_json(const std::map<std::string, std::string>& metadata) {
  return dump(json(metadata));
}

std::map<std::string, std::string> metadata_from_json(const std::string& text) {
  return parse(text).get<std::map<std::string, std::string>>();
}

std::string claims_to_json(const std::vector<domain::CustomClaim>& claims) {
  json array = json::array();
  for (const auto& claim : claims)
    array.push_back(json::array({claim.key, claim.value}));
  return dump(array);
}

std::vector<domain::CustomClaim> claims_from_json(const std::string& text) {
  std::vector<domain::CustomClaim> claims;
  for (const auto& pair : parse(text)) {
    claims.push_back({pair.at(0).get<std::string>(), pair.at(1).get<std::string>()});
  }
  return claims;
}

}  // namespace tessera::store
