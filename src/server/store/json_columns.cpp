#include "server/store/json_columns.hpp"

#include <array>
#include <functional>

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
json parse(std::string_view text) {
  return json::parse(text);
}

// Most clients of a deployment share a handful of scope sets, audiences and claim lists, so the
// token endpoint's cold path (a client not in the cache) parses the same few texts over and over.
// With nlohmann's DOM that was 1.2 % of the server's CPU under a load spread over 1,000,000
// clients, about as much as the system calls that read their pages. Each thread
// keeps its last results in a few slots chosen by the text's hash, and a hit copies the result
// instead of parsing. Long texts are parsed every time, which bounds the memory per thread.
template <class Value>
class ParseMemo {
 public:
  template <class Parse>
  Value get(std::string_view text, Parse parse) {
    if (text.size() > kMaxTextLength) return parse(text);
    Slot& slot = slots_[std::hash<std::string_view>{}(text) % slots_.size()];
    if (slot.filled && slot.text == text) return slot.value;
    Value parsed = parse(text);  // may throw: the slot keeps what it had
    slot.filled = false;
    slot.text.assign(text);
    slot.value = parsed;
    slot.filled = true;
    return parsed;
  }

 private:
  static constexpr std::size_t kMaxTextLength = 512;
  struct Slot {
    bool filled = false;
    std::string text;
    Value value;
  };
  std::array<Slot, 16> slots_;
};

std::vector<std::string> parse_strings(std::string_view text) {
  return parse(text).get<std::vector<std::string>>();
}

std::vector<domain::CustomClaim> parse_claims(std::string_view text) {
  std::vector<domain::CustomClaim> claims;
  for (const auto& pair : parse(text)) {
    claims.push_back({pair.at(0).get<std::string>(), pair.at(1).get<std::string>()});
  }
  return claims;
}

}  // namespace

std::string strings_to_json(const std::vector<std::string>& strings) {
  return dump(json(strings));
}

std::vector<std::string> strings_from_json(std::string_view text) {
  thread_local ParseMemo<std::vector<std::string>> memo;
  return memo.get(text, parse_strings);
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

std::vector<domain::CustomClaim> claims_from_json(std::string_view text) {
  thread_local ParseMemo<std::vector<domain::CustomClaim>> memo;
  return memo.get(text, parse_claims);
}

}  // namespace tessera::store
