// Errors of the management client. A server error carries the contract's google.rpc code, the HTTP
// status, the message and the field violations exactly as the server sent them; transport and
// protocol failures are told apart from server answers by `source`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::client {

// google.rpc.Code: the "code" member of the contract's error bodies.
enum class Code : std::int32_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  already_exists = 6,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  aborted = 10,
  out_of_range = 11,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  data_loss = 15,
  unauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ...
std::string_view to_string(Code code);

enum class ErrorSource : std::uint8_t {
  server,         // the server answered with an error status; http_status is set
  transport,      // no answer: connection refused, DNS, TLS, timeout (code unavailable or
                  // deadline_exceeded)
  protocol,       // an answer the contract does not allow: not JSON, wrong types (code internal)
  configuration,  // the client cannot send the call: malformed URL, http:// refused, an empty id
                  // (code invalid_argument)
};

std::string_view to_string(ErrorSource source);

struct FieldViolation {
  std::string field{};
  std::string description{};
};

struct Error {
  ErrorSource source = ErrorSource::server;
  Code code = Code::unknown;
  int http_status = 0;  // 0 when there was no HTTP answer
  // The ErrorInfo error_code of a management API error ("INVALID_ARGUMENT"), or the OAuth error of
  // the token endpoint ("invalid_client", "invalid_scope"); empty when the server sent neither.
  std::string error_code{};
  std::string message{};
  std::vector<FieldViolation> field_violations{};
  std::optional<std::chrono::seconds> retry_after{};  // from Retry-After (429, 503)

  // One line for logs and terminals, e.g. "NOT_FOUND (HTTP 404): organization not found".
  std::string describe() const;
};

}  // namespace tessera::client
