// A deliberately small HTTP/1.1 client on raw loopback sockets. Tests need byte-level control (no
// header is added behind their back) and must be able to send what a real client library would
// refuse to: duplicate framing headers, pipelined requests, oversized headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::it {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 0;
  std::string reason;
  Headers headers;  // names lower-cased, in the order received
  std::string body;

  // The first field with this (case-insensitive) name; empty when absent.
  std::string header(std::string_view name) const;
  std::size_t header_count(std::string_view name) const;
  bool has_header(std::string_view name) const { return header_count(name) > 0; }
  // Parses the body; throws std::runtime_error (with the body) when it is not JSON.
  nlohmann::json json() const;
  std::string describe() const;  // status line and body, for failure messages
};

class Connection {
 public:
  explicit Connection(std::uint16_t port);
  // Connects from `source` (an IPv4 address, e.g. "127.0.0.7": every 127/8 address is local), so
  // that one test can act as many client addresses.
  Connection(std::uint16_t port, const std::string& source);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(std::string_view bytes);  // throws when the peer is gone before all bytes are written
  // Sends as much as the peer accepts; false when it stopped accepting (closed or reset).
  bool try_send(std::string_view bytes);
  // One response; nullopt when the connection ends (or `timeout` passes) before a whole one.
  std::optional<Response> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the peer closes (EOF or reset) within `timeout` without sending more bytes.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Everything the peer sends until it closes; nullopt when it is still open after `timeout`.
  // For protocols other than HTTP/1.1 (the HTTP/2 tests read raw frames).
  std::optional<std::string> read_until_closed(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int native_handle() const { return fd_; }  // for tests that poll many connections themselves

 private:
  enum class Fill { data, eof, timeout };
  Fill fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection ("Connection: close"). Adds Host and, when there is a body
// or the method is POST/PUT/PATCH, Content-Length, unless `headers` already has them. Throws
// std::runtime_error when no complete response arrives.
Response request(std::uint16_t port, std::string_view method, std::string_view target,
                 const Headers& headers = {}, std::string_view body = {});
// The same from the local address `source`.
Response request_from(const std::string& source, std::uint16_t port, std::string_view method,
                      std::string_view target, const Headers& headers = {},
                      std::string_view body = {});

// Raw request text with the same defaults as request(), for pipelining.
std::string format_request(std::uint16_t port, std::string_view method, std::string_view target,
                           const Headers& headers, std::string_view body, bool close);

}  // namespace tessera::it
