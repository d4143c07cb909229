// Strict JSON for untrusted input (RFC 8259 + RFC 7515 §4 / RFC 8725 §3.x hardening): bounded size
// and nesting, valid UTF-8, no duplicate member names, nothing after the value. Internal to tessera:
// nlohmann::json never appears in a public header.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tessera::json {

struct Limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;
};

enum class ParseError {
  too_large,
  too_deep,
  duplicate_member,
  syntax,  // includes invalid UTF-8 and trailing bytes
};

// Parses `text` into `out`. Returns the first error, or nullopt on success.
std::optional<ParseError> parse_strict(std::string_view text, nlohmann::json& out,
                                       const Limits& limits = {});

std::string_view to_string(ParseError error);

}  // namespace tessera::json
