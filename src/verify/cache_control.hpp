// The freshness lifetime a JWKS response asks for (RFC 9111 §5.2.2).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tessera::verify::detail {

// Reads max-age from a Cache-Control value ("public, max-age=300"). no-store / no-cache yield
// zero (the caller's lower bound then applies). nullopt when nothing usable is present.
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

}  // namespace tessera::verify::detail
