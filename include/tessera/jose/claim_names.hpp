// Names of the access-token claims tessera issues and its SDK reads (RFC 7519, RFC 9068, and the
// Scalekit-compatible `scopes` / `oid`). The one place these strings are spelled.
#pragma once

#include <string_view>

namespace tessera::jose::claim {

inline constexpr std::string_view kIssuer = "iss";
inline constexpr std::string_view kSubject = "sub";
inline constexpr std::string_view kAudience = "aud";
inline constexpr std::string_view kExpiry = "exp";
inline constexpr std::string_view kNotBefore = "nbf";
inline constexpr std::string_view kIssuedAt = "iat";
inline constexpr std::string_view kTokenId = "jti";
inline constexpr std::string_view kClientId = "client_id";
inline constexpr std::string_view kOrganizationId = "oid";
inline constexpr std::string_view kScopes =
    "scopes";                                        // JSON array: what the seed's validators read
inline constexpr std::string_view kScope = "scope";  // space-separated string (RFC 9068 §2.2.3)
inline constexpr std::string_view kCustomClaims = "custom_claims";

// The JOSE `typ` of access tokens (RFC 9068 §2.1).
inline constexpr std::string_view kAccessTokenType = "at+jwt";

}  // namespace tessera::jose::claim
