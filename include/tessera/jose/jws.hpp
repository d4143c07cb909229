// JWS compact serialization (RFC 7515 §7.1): splitting, the protected header, and signing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/jose/keys.hpp"
#include "tessera/result.hpp"

namespace tessera::jose {

// Tokens longer than this are refused before any decoding (RFC 8725 §3.x resource limits).
inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;

enum class JwsError {
  too_long,
  malformed,         // not three non-empty dot-separated segments
  bad_base64,        // a segment is not canonical, unpadded base64url
  bad_header,        // header is not a strict JSON object
  bad_header_field,  // alg / kid / typ / crit / b64 of the wrong type
};

std::string_view to_string(JwsError error);

// Views into the token; valid as long as the token's storage is.
struct CompactJws {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // header_b64 '.' payload_b64
};

Result<CompactJws, JwsError> split_compact(std::string_view token,
                                           std::size_t max_bytes = kMaxTokenBytes);

// The members of a protected header that matter to a verifier. Everything else is ignored; in
// particular jwk, jku, x5u and x5c are never read, so they can never become a key source.
struct JoseHeader {
  std::string alg;
  // nullopt when absent. A kid of any other type than string is a bad_header_field: it must match
  // no key, and rejecting it outright also keeps it from reaching a "single key" fallback.
  std::optional<std::string> kid;
  std::optional<std::string> typ;
  bool has_crit = false;   // any "crit" member: tessera understands no extension, so it rejects
  bool b64_false = false;  // RFC 7797 unencoded payload: rejected
};

Result<JoseHeader, JwsError> parse_header(std::string_view header_json);

// Signs compact JWS tokens with one key. The encoded header is computed once per signer.
class JwsSigner {
 public:
  JwsSigner(PrivateKey key, std::string kid, std::string_view typ = "at+jwt");

  const std::string& kid() const { return kid_; }
  Algorithm algorithm() const { return key_.algorithm(); }

  // Writes header.payload.signature into `token` (replacing it). False on an OpenSSL failure.
  bool sign(std::string_view payload_json, std::string& token) const;

 private:
  PrivateKey key_;
  std::string kid_;
  std::string header_b64_;
};

}  // namespace tessera::jose
