#include "tessera/client/errors.hpp"

#include <array>

namespace tessera::client {

std::string_view to_string(Code code) {
  static constexpr std::array<std::string_view, 17> kNames = {"OK",
                                                              "CANCELLED",
                                                              "UNKNOWN",
                                                              "INVALID_ARGUMENT",
                                                              "DEADLINE_EXCEEDED",
                                                              "NOT_FOUND",
                                                              "ALREADY_EXISTS",
                                                              "PERMISSION_DENIED",
                                                              "RESOURCE_EXHAUSTED",
                                                              "FAILED_PRECONDITION",
                                                              "ABORTED",
                                                              "OUT_OF_RANGE",
                                                              "UNIMPLEMENTED",
                                                              "INTERNAL",
                                                              "UNAVAILABLE",
                                                              "DATA_LOSS",
                                                              "UNAUTHENTICATED"};
  const auto index = static_cast<std::size_t>(code);
  return index < kNames.size() ? kNames[index] : "UNKNOWN";
}

std::string_view to_string(ErrorSource source) {
  switch (source) {
    case ErrorSource::server:
      return "server";
    case ErrorSource::transport:
      return "transport";
    case ErrorSource::protocol:
      return "protocol";
    case ErrorSource::configuration:
      return "configuration";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out(to_string(code));
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  // The OAuth error names the cause better than the code it maps to.
  if (!error_code.empty() && error_code != to_string(code)) out += " " + error_code;
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace tessera::client
