// gRPC's length-prefixed message framing (a 1-byte compressed flag and a 4-byte big-endian length
// before each message) for unary calls: the request body must hold exactly one message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/grpc/status.hpp"
#include "tessera/result.hpp"

namespace tessera::grpc {

inline constexpr std::size_t kFramePrefixBytes = 5;

// The one message of a unary request body, or the status to answer with. tessera only speaks the
// identity encoding: a compressed message is UNIMPLEMENTED when the client named another
// `grpc_encoding` and INTERNAL when it named none (or identity), as the gRPC protocol asks. A
// message above `max_message_bytes` is RESOURCE_EXHAUSTED, and a missing, truncated or second
// message is INTERNAL (a broken client).
Result<std::string_view, Status> unary_message(std::string_view body,
                                               std::string_view grpc_encoding,
                                               std::size_t max_message_bytes);

// `message` with its uncompressed frame prefix.
std::string frame_message(std::string_view message);

}  // namespace tessera::grpc
