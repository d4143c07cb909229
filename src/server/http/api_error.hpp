// The management API's error shape (google.rpc.Status in JSON, as the Scalekit REST API answers)
// and the one table that maps each error kind to an HTTP status and an RPC code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.hpp"

namespace tessera::http {

enum class ApiStatus {
  invalid_argument,     // 400, code 3
  failed_precondition,  // 400, code 9
  unauthenticated,      // 401, code 16
  permission_denied,    // 403, code 7
  not_found,            // 404, code 5
  method_not_allowed,   // 405, code 12
  already_exists,       // 409, code 6
  payload_too_large,    // 413, code 3
  unsupported_media,    // 415, code 3
  headers_too_large,    // 431, code 3
  resource_exhausted,   // 429, code 8
  internal,             // 500, code 13
  unavailable,          // 503, code 14
};

struct FieldViolation {
  std::string field;
  std::string description;
};

Response api_error(ApiStatus status, std::string_view message,
                   const std::vector<FieldViolation>& violations = {});

bhttp::status http_status(ApiStatus status);

}  // namespace tessera::http
