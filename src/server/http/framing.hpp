// Request framing checks Beast leaves to us (RFC 9112 §6): the ways a request's length can be made
// ambiguous, which request smuggling between a proxy and tessera relies on.
#pragma once

#include <optional>
#include <string_view>

#include "server/http/message.hpp"

namespace tessera::http {

// Returns a reason when the header must be refused with 400 and the connection closed.
std::optional<std::string_view> framing_violation(const bhttp::request_header<>& header,
                                                  std::size_t max_fields);

}  // namespace tessera::http
