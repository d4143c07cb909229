// Verifies tessera access tokens (RFC 9068 JWTs, JWS compact) and returns their claims.
//
//   auto keys = tessera::verify::JwksCache::create({.uri = "https://auth.example.com/keys"});
//   auto verifier = tessera::verify::Verifier::create(
//       {.issuer = "https://auth.example.com", .key_source = *keys});
//   auto claims = verifier->verify(token);  // Result<Claims, VerifyError>
//
// The algorithm comes from this configuration and from the key, never from the token; keys come
// only from the key source; the signature is checked before any claim is read. A Verifier is
// immutable after create() and safe to share between threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/jose/algorithm.hpp"
#include "tessera/result.hpp"
#include "tessera/verify/claims.hpp"
#include "tessera/verify/errors.hpp"
#include "tessera/verify/key_source.hpp"

namespace tessera::verify {

inline constexpr std::chrono::seconds kDefaultLeeway{60};
// Clock skew beyond this is a configuration mistake, not skew: it would stretch every token's life.
inline constexpr std::chrono::seconds kMaxLeeway{300};

// Every member has a default initializer, so designated initializers may name only what they set.
struct VerifierOptions {
  std::string issuer{};                  // required; compared byte for byte with "iss"
  std::vector<std::string> audiences{};  // when not empty, "aud" must contain one of them
  std::vector<jose::Algorithm> algorithms{jose::Algorithm::RS256};
  std::chrono::seconds leeway = kDefaultLeeway;  // for exp, nbf and iat; at most kMaxLeeway
  // typ must be "at+jwt" / "application/at+jwt" (RFC 9068, case-insensitive). Set this to also
  // accept "JWT" / "application/jwt" or no typ, for third-party issuers that label access tokens
  // that way.
  bool accept_plain_jwt = false;
  std::shared_ptr<KeySource> key_source{};  // required
  // For tests; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock{};
  // Verified-token cache for APIs that see the same token many times (a client reuses its token
  // until it expires): when not 0, up to this many verified tokens are remembered, keyed by their
  // full bytes, and verifying one of them again skips the signature and the claims parse. A
  // remembered token is answered only before its exp (never within the leeway past it), only while
  // the key source still returns the key set its signature was checked against, and after the
  // same issuer, audience and time checks as a first verification. Failures are never remembered.
  // Memory: about 2 KB per entry for a typical token, allocated as tokens arrive.
  std::size_t token_cache_entries = 0;
};

namespace detail {
class TokenCache;
}

class Verifier {
 public:
  static Result<Verifier, ConfigError> create(VerifierOptions options);

  Result<Claims, VerifyError> verify(std::string_view token) const;

  const VerifierOptions& options() const { return options_; }
  // Tokens in the verified-token cache (0 without one).
  std::size_t cached_tokens() const;

 private:
  explicit Verifier(VerifierOptions options);

  Result<Claims, VerifyError> verify_uncached(std::string_view token,
                                              std::shared_ptr<const jose::Jwks>* keys_used) const;

  VerifierOptions options_;
  std::shared_ptr<detail::TokenCache> cache_;  // shared by copies of this Verifier
};

}  // namespace tessera::verify
