// gRPC over HTTP/2 (h2c with prior knowledge, on the same listener as HTTP/1.1): nghttp2 does the
// framing, HPACK and flow control; this layer turns each stream into one unary call of the
// MethodTable and writes its response message and grpc-status trailers. Bounded per connection:
// concurrent streams and calls, header list bytes, request message bytes, idle time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "server/grpc/unary.hpp"
#include "server/http/client_address.hpp"
#include "server/http/http2_handoff.hpp"

namespace tessera::grpc {

struct GrpcLimits {
  std::size_t max_message_bytes = 64 * 1024;
  std::uint32_t max_concurrent_streams = 32;
  std::uint32_t max_header_list_bytes = 8 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};     // no bytes from the client
  std::chrono::milliseconds request_timeout{30'000};  // from a stream's HEADERS to its end
};

class GrpcServer final : public http::Http2Handler {
 public:
  // `methods` and `proxies` must outlive every connection.
  GrpcServer(const MethodTable& methods, const http::TrustedProxies& proxies, GrpcLimits limits);

  boost::asio::awaitable<void> serve(boost::beast::tcp_stream& stream,
                                     boost::beast::flat_buffer& buffered,
                                     http::Http2Connection connection) override;
  boost::asio::awaitable<void> serve(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                     boost::beast::flat_buffer& buffered,
                                     http::Http2Connection connection) override;

 private:
  template <class Stream>
  boost::asio::awaitable<void> run(Stream& stream, boost::beast::flat_buffer& buffered,
                                   http::Http2Connection connection);

  const MethodTable& methods_;
  const http::TrustedProxies& proxies_;
  GrpcLimits limits_;
};

}  // namespace tessera::grpc
