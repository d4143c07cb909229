// The JWS algorithms tessera signs and verifies with. Each is bound to one key type, so a key's
// algorithm is a property of the key, never of a token.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tessera::jose {

enum class Algorithm : std::uint8_t {
  RS256,  // RSASSA-PKCS1-v1_5 with SHA-256, RSA >= 2048 bits (the default)
  ES256,  // ECDSA P-256 with SHA-256, raw R||S signature
  EdDSA,  // Ed25519 (RFC 8037)
};

std::string_view to_string(Algorithm alg);

// Exact, case-sensitive match against the registered names; "none", "rs256", "HS256" are nullopt.
std::optional<Algorithm> parse_algorithm(std::string_view name);

}  // namespace tessera::jose
