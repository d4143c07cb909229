// One bounded HTTP GET of a JWKS document, on the SDK's HTTP client (net/http.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "tessera/result.hpp"
#include "tessera/verify/jwks_cache.hpp"

namespace tessera::verify::detail {

struct HttpGetOptions {
  std::string url{};
  bool allow_http = false;
  std::string ca_file{};
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds total_timeout{};
  std::size_t max_bytes = 0;
};

struct HttpResponse {
  std::string body{};
  std::optional<std::chrono::seconds> max_age{};  // from Cache-Control
};

// Follows no redirects; any status but 200 is an error. Safe to call from several threads.
Result<HttpResponse, FetchError> http_get(const HttpGetOptions& options);

// Absolute http(s) URL with a host? Used to validate configuration before any fetch.
enum class UrlCheck { ok, malformed, insecure };
UrlCheck check_jwks_url(const std::string& url, bool allow_http);

}  // namespace tessera::verify::detail
