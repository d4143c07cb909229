// Bounds on everything a client can make the server hold: bytes, fields, time, connections.
#pragma once

#include <chrono>
#include <cstddef>

namespace tessera::http {

struct HttpLimits {
  std::size_t max_header_bytes = 8 * 1024;  // request line + all header fields
  std::size_t max_header_fields = 64;
  std::size_t max_body_bytes = 64 * 1024;            // management API
  std::size_t max_token_body_bytes = 4 * 1024;       // /oauth/token takes a handful of short fields
  std::chrono::milliseconds header_timeout{10'000};  // slowloris bound
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive between requests
  std::size_t max_connections = 8192;
};

}  // namespace tessera::http
