// The SDK's HTTP client on libcurl: one bounded request/response exchange, shared by the JWKS cache
// (verify) and the management client (client). Internal: no public header exposes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/result.hpp"

namespace tessera::net {

struct Header {
  std::string name{};  // lower-cased in responses
  std::string value{};
};

// Every member has a default initializer, so designated initializers may name only what they set.
struct Request {
  std::string method = "GET";
  std::string url{};
  std::vector<Header> headers{};
  std::string body{};  // sent when not empty, or always for POST/PUT/PATCH
  bool allow_http = false;
  // PEM file of the CAs to trust for https:// instead of the system's store (a private CA); the
  // server certificate and its host name are verified either way.
  std::string ca_file{};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds total_timeout{std::chrono::seconds(30)};
  std::size_t max_response_bytes = std::size_t{1} << 20;
  std::string user_agent = "tessera-sdk";
};

struct Response {
  long status = 0;
  std::string body{};
  std::vector<Header> headers{};  // of the final response only, names lower-cased

  // The first value of the header `name` (lower case), if present.
  std::optional<std::string_view> header(std::string_view name) const;
  // Every value of the header `name`, joined with ", " (RFC 9110 §5.3); empty when absent.
  std::string joined_header(std::string_view name) const;
};

enum class Error : std::uint8_t {
  bad_url,
  refused_scheme,  // http:// without allow_http, or a scheme other than http(s)
  timeout,
  transport,  // DNS, connect, TLS, reset
  too_large,  // the response body exceeded max_response_bytes
};

std::string_view to_string(Error error);

// A small pool of libcurl handles. Handles are reused, so are their kept-alive connections and
// TLS sessions; each handle serves one request at a time. Thread-safe.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Redirects are never followed. Any HTTP status is a successful exchange.
  Result<Response, Error> perform(const Request& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> acquire();
  void release(std::unique_ptr<Handle> handle);

  std::mutex mutex_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

// One exchange on a fresh handle (no connection reuse), for callers that fetch rarely.
Result<Response, Error> perform(const Request& request);

// Is `url` an absolute http(s) URL with a host, and is its scheme allowed?
enum class UrlCheck : std::uint8_t { ok, malformed, insecure };
UrlCheck check_url(const std::string& url, bool allow_http);

// True for http(s) URLs whose host is localhost, 127.0.0.0/8 or [::1].
bool is_loopback_url(const std::string& url);

// RFC 3986 percent-encoding of everything but the unreserved characters: safe in a path segment,
// a query value and an application/x-www-form-urlencoded value.
std::string percent_encode(std::string_view text);

}  // namespace tessera::net
