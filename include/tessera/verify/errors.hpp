// Why a token was refused, or why a verifier or key cache could not be configured. Each value
// names one precise reason; to_string() gives a short English text that never contains the token
// and is safe inside an RFC 6750 error_description.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::verify {

enum class VerifyError : std::uint8_t {
  token_too_large,         // longer than jose::kMaxTokenBytes; nothing was decoded
  malformed_token,         // not exactly three non-empty dot-separated segments
  invalid_base64,          // a segment is not canonical unpadded base64url
  malformed_header,        // not a strict JSON object, or alg/kid/typ/b64 of the wrong type
  algorithm_not_allowed,   // alg absent from the allow-list (none, HS256, rs256, ...)
  critical_header,         // a "crit" header: no extension is understood
  unencoded_payload,       // "b64": false (RFC 7797)
  wrong_token_type,        // typ is not an accepted access-token type
  missing_kid,             // no kid, and the key set does not hold exactly one candidate key
  unknown_kid,             // no key with this kid, even after a refresh
  no_keys,                 // the key source has no usable keys (fail closed)
  key_algorithm_mismatch,  // the kid names a key of another algorithm than alg
  bad_signature,
  malformed_payload,        // the payload is not a strict JSON object
  malformed_claim,          // a known claim has the wrong type (e.g. scopes not string array)
  time_claim_out_of_range,  // exp / nbf / iat outside [0, 9999-12-31]
  missing_expiry,           // no exp
  expired,
  not_yet_valid,     // nbf in the future (beyond leeway)
  issued_in_future,  // iat in the future (beyond leeway)
  issuer_mismatch,
  audience_mismatch,
};

std::string_view to_string(VerifyError error);

enum class ConfigError : std::uint8_t {
  missing_issuer,
  missing_key_source,
  no_algorithms,
  leeway_out_of_range,  // negative or above kMaxLeeway
  bad_jwks_uri,         // not an absolute http(s) URL with a host
  insecure_jwks_uri,    // http:// without allow_http
  bad_cache_bounds,     // TTL bounds or cool-down negative or inverted
  bad_timeouts,         // connect / total timeout not positive
  bad_size_limit,       // response size cap of zero
};

std::string_view to_string(ConfigError error);

}  // namespace tessera::verify
