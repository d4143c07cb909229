// Access-token issuance: the claims of RFC 9068 plus the Scalekit-compatible `scopes` / `oid`,
// signed with the key ring's active key.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/domain/entities.hpp"
#include "server/keys/key_ring.hpp"
#include "tessera/result.hpp"

namespace tessera::issue {

// The audience of management tokens. No API client may be registered with it (or anything else in
// the reserved "tessera:" namespace), so an API client token can never pass for one.
inline constexpr std::string_view kManagementAudience = "tessera:management";

struct Grant {
  std::string_view client_id;
  std::string_view organization_id;  // empty for environment (management) clients
  std::span<const std::string> scopes;
  std::span<const std::string> audience;
  std::span<const domain::CustomClaim> custom_claims;
  std::int64_t lifetime_seconds = 3600;
};

struct IssuedToken {
  std::string access_token;
  std::int64_t expires_in = 0;
};

enum class IssueError {
  no_signing_key,  // the key ring has no active key (start-up not finished, or misconfigured)
  signing_failed,  // OpenSSL refused to sign
};

std::string_view to_string(IssueError error);

class TokenIssuer {
 public:
  TokenIssuer(std::string issuer, const keys::KeyRing& keys);

  // `now` in seconds since the epoch; `jti` a fresh tkn_ id.
  Result<IssuedToken, IssueError> issue(const Grant& grant, std::int64_t now,
                                        std::string_view jti) const;

  // The JWT claims set, as issue() signs it.
  std::string claims_json(const Grant& grant, std::int64_t now, std::string_view jti) const;

  const std::string& issuer() const { return issuer_; }

 private:
  std::string issuer_;
  const keys::KeyRing& keys_;
};

// Scopes joined by single spaces, as OAuth's `scope` parameter and claim spell them.
std::string join_scopes(std::span<const std::string> scopes);

}  // namespace tessera::issue
