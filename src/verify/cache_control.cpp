#include "verify/cache_control.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace tessera::verify::detail {
namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// delta-seconds, optionally quoted; saturates instead of overflowing (RFC 9111 §1.2.2).
std::optional<std::int64_t> delta_seconds(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty()) return std::nullopt;
  constexpr std::int64_t kCap = std::int64_t{1} << 31;
  std::int64_t n = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = std::min(kCap, n * 10 + (c - '0'));
  }
  return n;
}

}  // namespace

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  std::optional<std::chrono::seconds> max_age;
  bool no_cache = false;
  while (!cache_control.empty()) {
    const auto comma = cache_control.find(',');
    const std::string_view directive = trim(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? "" : cache_control.substr(comma + 1);
    const auto equals = directive.find('=');
    const std::string_view name = trim(directive.substr(0, equals));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) no_cache = true;
    if (iequals(name, "max-age") && equals != std::string_view::npos && !max_age) {
      if (auto n = delta_seconds(trim(directive.substr(equals + 1)))) {
        max_age = std::chrono::seconds(*n);
      }
    }
  }
  if (no_cache) return std::chrono::seconds(0);
  return max_age;
}

}  // namespace tessera::verify::detail
