#include "server/http/management_auth.hpp"

#include "server/domain/ids.hpp"

namespace tessera::http {

Result<std::string, ManagementAuthFailure> authenticate_management(
    const verify::Authorizer& authorizer, std::string_view authorization) {
  const auto decision = authorizer.authorize(authorization, {});
  // The audience check of the verifier already refuses API client tokens; the subject check makes
  // the intent explicit and survives any future audience change.
  if (decision.allowed() &&
      domain::parse_id(domain::IdKind::environment_client, decision.claims->sub) &&
      decision.claims->oid.empty()) {
    return std::string(decision.claims->sub);
  }
  ManagementAuthFailure failure{"missing or invalid management token", decision.www_authenticate};
  if (decision.verify_error) {
    failure.message =
        "invalid management token: " + std::string(verify::to_string(*decision.verify_error));
  } else if (decision.allowed()) {
    failure.message = "not a management token";
    failure.challenge = "Bearer realm=\"" + authorizer.realm() +
                        "\", error=\"invalid_token\", error_description=\"not a management token\"";
  }
  return fail(std::move(failure));
}

}  // namespace tessera::http
