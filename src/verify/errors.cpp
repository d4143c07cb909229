#include "tessera/verify/errors.hpp"

namespace tessera::verify {

// These texts end up in WWW-Authenticate error_description values, so they stay within RFC 6750's
// character set (printable ASCII without '"' and '\').
std::string_view to_string(VerifyError error) {
  switch (error) {
    case VerifyError::token_too_large:
      return "token too large";
    case VerifyError::malformed_token:
      return "token is not a compact JWS";
    case VerifyError::invalid_base64:
      return "token segment is not canonical base64url";
    case VerifyError::malformed_header:
      return "malformed token header";
    case VerifyError::algorithm_not_allowed:
      return "signature algorithm not allowed";
    case VerifyError::critical_header:
      return "unsupported critical header";
    case VerifyError::unencoded_payload:
      return "unencoded payload not supported";
    case VerifyError::wrong_token_type:
      return "not an access token (typ)";
    case VerifyError::missing_kid:
      return "token names no key id";
    case VerifyError::unknown_kid:
      return "unknown key id";
    case VerifyError::no_keys:
      return "no verification keys available";
    case VerifyError::key_algorithm_mismatch:
      return "key does not match the token algorithm";
    case VerifyError::bad_signature:
      return "invalid signature";
    case VerifyError::malformed_payload:
      return "malformed token payload";
    case VerifyError::malformed_claim:
      return "malformed claim";
    case VerifyError::time_claim_out_of_range:
      return "time claim out of range";
    case VerifyError::missing_expiry:
      return "token has no expiry";
    case VerifyError::expired:
      return "token expired";
    case VerifyError::not_yet_valid:
      return "token not yet valid";
    case VerifyError::issued_in_future:
      return "token issued in the future";
    case VerifyError::issuer_mismatch:
      return "unexpected issuer";
    case VerifyError::audience_mismatch:
      return "unexpected audience";
  }
  return "invalid token";
}

std::string_view to_string(ConfigError error) {
  switch (error) {
    case ConfigError::missing_issuer:
      return "an issuer is required";
    case ConfigError::missing_key_source:
      return "a key source is required";
    case ConfigError::no_algorithms:
      return "at least one algorithm must be allowed";
    case ConfigError::leeway_out_of_range:
      return "leeway must be between 0 and 300 seconds";
    case ConfigError::bad_jwks_uri:
      return "the JWKS URI must be an absolute https URL";
    case ConfigError::insecure_jwks_uri:
      return "the JWKS URI uses http; set allow_http for local development only";
    case ConfigError::bad_cache_bounds:
      return "cache TTL bounds and cool-down must be non-negative and min_ttl <= max_ttl";
    case ConfigError::bad_timeouts:
      return "timeouts must be positive";
    case ConfigError::bad_size_limit:
      return "the response size limit must be positive";
  }
  return "invalid configuration";
}

}  // namespace tessera::verify
