// What the HTTP/2 transport and the services agree on: a unary method takes one decoded-frame
// request message and the call's metadata, and answers a response message or a status.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "server/grpc/status.hpp"
#include "tessera/result.hpp"

namespace tessera::grpc {

struct CallContext {
  std::string authorization;   // the "authorization" metadata
  std::string source_address;  // the peer, or the client behind a trusted proxy
};

using UnaryResult = Result<std::string, Status>;
// `message` and `context` stay alive until the returned awaitable completes.
using UnaryMethod = std::function<boost::asio::awaitable<UnaryResult>(std::string_view message,
                                                                      const CallContext&)>;

// Keyed by the HTTP/2 :path, "/<package>.<Service>/<Method>".
using MethodTable = std::map<std::string, UnaryMethod, std::less<>>;

}  // namespace tessera::grpc
