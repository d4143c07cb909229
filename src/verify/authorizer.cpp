#include "tessera/verify/authorizer.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "tessera/verify/scopes.hpp"

namespace tessera::verify {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 7235 token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_token68(std::string_view s) {
  const auto body_end = s.find_last_not_of('=');
  if (body_end == std::string_view::npos) return false;  // empty, or only '='
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(body_end) + 1, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/';
  });
}

// "Bearer" SP token68, scheme case-insensitive, exactly one space, nothing else.
Result<std::string_view, AuthOutcome> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer";
  if (header.empty()) return fail(AuthOutcome::missing_token);
  const auto separator = header.find_first_of(" \t");
  if (!iequals(header.substr(0, separator), kScheme)) return fail(AuthOutcome::not_bearer);
  if (separator == std::string_view::npos || header[separator] != ' ') {
    return fail(AuthOutcome::malformed_header);
  }
  const std::string_view token = header.substr(separator + 1);
  if (!is_token68(token)) return fail(AuthOutcome::malformed_header);
  return token;
}

// The inside of an HTTP quoted-string: '"' and '\' escaped, control characters dropped.
std::string quoted_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

template <class Scopes>
std::string joined(const Scopes& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) out += ' ';
    out += scope;
  }
  return out;
}

std::string error_body(std::string_view error, std::string_view description,
                       const std::string* scope = nullptr) {
  nlohmann::json body = {{"error", error}, {"error_description", description}};
  if (scope != nullptr) body["scope"] = *scope;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view credential_problem(AuthOutcome outcome) {
  switch (outcome) {
    case AuthOutcome::not_bearer:
      return "the Authorization scheme is not Bearer";
    case AuthOutcome::malformed_header:
      return "malformed Authorization header";
    default:
      return "missing bearer token";
  }
}

}  // namespace

std::string_view to_string(AuthOutcome outcome) {
  switch (outcome) {
    case AuthOutcome::allowed:
      return "allowed";
    case AuthOutcome::missing_token:
      return "missing bearer token";
    case AuthOutcome::not_bearer:
      return "not a Bearer authorization";
    case AuthOutcome::malformed_header:
      return "malformed Authorization header";
    case AuthOutcome::invalid_token:
      return "invalid token";
    case AuthOutcome::insufficient_scope:
      return "insufficient scope";
  }
  return "unauthorized";
}

Authorizer::Authorizer(Verifier verifier, std::string realm)
    : verifier_(std::move(verifier)),
      realm_(std::move(realm)),
      challenge_("Bearer realm=" + quoted_string(realm_)) {}

template <class Scopes>
AuthDecision Authorizer::decide(std::string_view authorization, const Scopes& required) const {
  const std::string& challenge = challenge_;
  AuthDecision decision;
  auto token = bearer_token(authorization);
  if (!token) {
    // RFC 6750 §3.1: no error code when the request carries no usable credentials.
    decision.outcome = token.error();
    decision.status = 401;
    decision.www_authenticate = challenge;
    decision.body = error_body("unauthorized", credential_problem(token.error()));
    return decision;
  }
  auto claims = verifier_.verify(*token);
  if (!claims) {
    const std::string_view reason = to_string(claims.error());
    decision.outcome = AuthOutcome::invalid_token;
    decision.status = 401;
    decision.verify_error = claims.error();
    decision.www_authenticate =
        challenge + ", error=\"invalid_token\", error_description=" + quoted_string(reason);
    decision.body = error_body("invalid_token", reason);
    return decision;
  }
  if (!has_all_scopes(claims->scopes, required)) {
    const std::string scope = joined(required);
    decision.outcome = AuthOutcome::insufficient_scope;
    decision.status = 403;
    decision.www_authenticate =
        challenge + ", error=\"insufficient_scope\", scope=" + quoted_string(scope);
    decision.body = error_body("insufficient_scope", "the token lacks a required scope", &scope);
    decision.claims = std::move(*claims);
    return decision;
  }
  decision.outcome = AuthOutcome::allowed;
  decision.status = 200;
  decision.claims = std::move(*claims);
  return decision;
}

AuthDecision Authorizer::authorize(std::string_view authorization,
                                   std::span<const std::string> required_scopes) const {
  return decide(authorization, required_scopes);
}

AuthDecision Authorizer::authorize(std::string_view authorization,
                                   std::initializer_list<std::string_view> required_scopes) const {
  return decide(authorization, required_scopes);
}

}  // namespace tessera::verify
