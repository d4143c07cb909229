// Framework-agnostic request authorization with RFC 6750 answers. Given the Authorization header
// value and the scopes a route needs, it decides:
//
//   allowed             200, with the claims
//   missing_token       401  WWW-Authenticate: Bearer realm="…"          (no header)
//   not_bearer          401  WWW-Authenticate: Bearer realm="…"          (another scheme)
//   malformed_header    401  WWW-Authenticate: Bearer realm="…"          (no token, extra spaces,
//                                                                         characters outside
//                                                                         token68)
//   invalid_token       401  … error="invalid_token", error_description="<reason>"
//   insufficient_scope  403  … error="insufficient_scope", scope="<required scopes>"
//
// A request without usable credentials gets no error code (RFC 6750 §3.1); the tessera contract
// answers a malformed header like a missing one. Descriptions never contain the token.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tessera/verify/claims.hpp"
#include "tessera/verify/errors.hpp"
#include "tessera/verify/verifier.hpp"

namespace tessera::verify {

enum class AuthOutcome : std::uint8_t {
  allowed,
  missing_token,
  not_bearer,
  malformed_header,
  invalid_token,
  insufficient_scope,
};

std::string_view to_string(AuthOutcome outcome);

struct AuthDecision {
  AuthOutcome outcome = AuthOutcome::missing_token;
  int status = 401;                           // 200, 401 or 403
  std::string www_authenticate{};             // the challenge; empty when allowed
  std::string body{};                         // a JSON error object; empty when allowed
  std::optional<VerifyError> verify_error{};  // set for invalid_token
  std::optional<Claims> claims{};             // set when the token verified (allowed, or 403)

  bool allowed() const { return outcome == AuthOutcome::allowed; }
};

class Authorizer {
 public:
  explicit Authorizer(Verifier verifier, std::string realm = "api");

  // `authorization` is the header value, empty when the header is absent. Adapters join repeated
  // Authorization fields with ", " (RFC 9110 §5.3), which makes them malformed.
  AuthDecision authorize(std::string_view authorization,
                         std::span<const std::string> required_scopes) const;
  AuthDecision authorize(std::string_view authorization,
                         std::initializer_list<std::string_view> required_scopes) const;

  const Verifier& verifier() const { return verifier_; }
  const std::string& realm() const { return realm_; }

 private:
  template <class Scopes>
  AuthDecision decide(std::string_view authorization, const Scopes& required_scopes) const;

  Verifier verifier_;
  std::string realm_;
  std::string challenge_;  // Bearer realm="…", quoted once
};

}  // namespace tessera::verify
