// The seam between the HTTP/1.1 listener and an HTTP/2 implementation: a connection whose first
// bytes are the HTTP/2 client preface (prior knowledge on h2c; inside TLS, after ALPN chose h2 for
// a client that offered no http/1.1, see select_alpn in tls.hpp, or with no ALPN at all) is handed
// over, with the bytes already read, and the listener's connection bookkeeping (count, cap, stop)
// stays where it is. The listener never depends on the implementation (server/grpc).
#pragma once

#include <atomic>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace tessera::http {

inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct Http2Connection {
  boost::asio::ip::address peer;
  // True while the connection has requests in flight: the listener's stop() spares it then.
  bool& busy;
  const std::atomic<bool>& stopping;
};

class Http2Handler {
 public:
  virtual ~Http2Handler() = default;

  // Serves the connection until it closes; `buffered` holds the bytes read so far (the preface
  // at least). Returns once nothing refers to the stream any more.
  virtual boost::asio::awaitable<void> serve(boost::beast::tcp_stream& stream,
                                             boost::beast::flat_buffer& buffered,
                                             Http2Connection connection) = 0;
  virtual boost::asio::awaitable<void> serve(
      boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
      boost::beast::flat_buffer& buffered, Http2Connection connection) = 0;
};

}  // namespace tessera::http
