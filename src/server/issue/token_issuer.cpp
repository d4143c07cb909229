#include "server/issue/token_issuer.hpp"

#include "server/issue/json_writer.hpp"
#include "tessera/jose/claim_names.hpp"

namespace tessera::issue {

namespace claim = jose::claim;

std::string_view to_string(IssueError error) {
  switch (error) {
    case IssueError::no_signing_key:
      return "no active signing key";
    case IssueError::signing_failed:
      return "signing failed";
  }
  return "issue error";
}

std::string join_scopes(std::span<const std::string> scopes) {
  std::string joined;
  for (const auto& scope : scopes) {
    if (!joined.empty()) joined.push_back(' ');
    joined += scope;
  }
  return joined;
}

TokenIssuer::TokenIssuer(std::string issuer, const keys::KeyRing& keys)
    : issuer_(std::move(issuer)), keys_(keys) {}

std::string TokenIssuer::claims_json(const Grant& grant, std::int64_t now,
                                     std::string_view jti) const {
  std::string out;
  out.reserve(384 + 48 * grant.scopes.size());
  JsonWriter w(out);
  w.begin_object();
  w.key(claim::kIssuer);
  w.string(issuer_);
  w.key(claim::kSubject);
  w.string(grant.client_id);
  w.key(claim::kClientId);
  w.string(grant.client_id);
  if (!grant.organization_id.empty()) {
    w.key(claim::kOrganizationId);
    w.string(grant.organization_id);
  }
  if (!grant.audience.empty()) {
    w.key(claim::kAudience);
    w.begin_array();
    for (const auto& aud : grant.audience)
      w.string(aud);
    w.end_array();
  }
  w.key(claim::kScopes);
  w.begin_array();
  for (const auto& scope : grant.scopes)
    w.string(scope);
  w.end_array();
  if (!grant.scopes.empty()) {
    w.key(claim::kScope);
    w.string(join_scopes(grant.scopes));
  }
  if (!grant.custom_claims.empty()) {
    w.key(claim::kCustomClaims);
    w.begin_object();
    for (const auto& [name, value] : grant.custom_claims) {
      w.key(name);
      w.string(value);
    }
    w.end_object();
  }
  w.key(claim::kIssuedAt);
  w.integer(now);
  w.key(claim::kNotBefore);
  w.integer(now);
  w.key(claim::kExpiry);
  w.integer(now + grant.lifetime_seconds);
  w.key(claim::kTokenId);
  w.string(jti);
  w.end_object();
  return out;
}

Result<IssuedToken, IssueError> TokenIssuer::issue(const Grant& grant, std::int64_t now,
                                                   std::string_view jti) const {
  const auto signer = keys_.active_signer();
  if (!signer) return fail(IssueError::no_signing_key);
  IssuedToken token;
  if (!signer->sign(claims_json(grant, now, jti), token.access_token)) {
    return fail(IssueError::signing_failed);
  }
  token.expires_in = grant.lifetime_seconds;
  return token;
}

}  // namespace tessera::issue
