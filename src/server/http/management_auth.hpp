// Who may call the management API: a valid management token (issued to an skc_ environment
// client). Shared by the REST routes and the gRPC ClientService, which differ only in how they
// answer a refusal.
#pragma once

#include <string>
#include <string_view>

#include "tessera/result.hpp"
#include "tessera/verify/authorizer.hpp"

namespace tessera::http {

struct ManagementAuthFailure {
  std::string message;    // for the error body / grpc-message
  std::string challenge;  // the WWW-Authenticate value
};

// The caller's client id (the token's subject), from an Authorization header value.
Result<std::string, ManagementAuthFailure> authenticate_management(
    const verify::Authorizer& authorizer, std::string_view authorization);

}  // namespace tessera::http
