// gRPC status codes (the subset tessera answers) and the typed status a call ends with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::grpc {

enum class StatusCode : int {
  ok = 0,
  invalid_argument = 3,
  not_found = 5,
  already_exists = 6,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  unauthenticated = 16,
};

struct Status {
  StatusCode code = StatusCode::ok;
  std::string message;
};

// The grpc-message header value: percent-encoded UTF-8 (everything outside printable ASCII, and
// '%' itself), as the gRPC HTTP/2 protocol requires.
std::string percent_encode_message(std::string_view message);

}  // namespace tessera::grpc
