// The HTTP/1.1 listener: one coroutine per connection, bounded in bytes, fields, time and count.
// Requests on a connection are answered in order (pipelining is served sequentially). A connection
// that starts with the HTTP/2 preface is handed to the Http2Handler (gRPC), still counted here.
// Each connection lives on one event loop, run by one thread, for its whole life: its handlers
// need no strand, and its work never wakes another thread (measured: 5-6 % less CPU per token
// than one loop shared by all threads, docs/benchmarks.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/http/http2_handoff.hpp"
#include "server/http/limits.hpp"
#include "server/http/router.hpp"

namespace tessera::http {

class HttpServer {
 public:
  // Connections are spread over `loops` in turn, each served entirely by its loop's thread; the
  // listening socket lives on the first. With a TLS context, every connection must complete a TLS
  // handshake first.
  HttpServer(std::vector<boost::asio::io_context*> loops, const HttpLimits& limits,
             const Router& router, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~HttpServer();

  // Binds and listens; returns the error when the address cannot be used.
  boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t port() const;

  void start();
  // Stops accepting, lets requests in flight finish, and closes idle connections.
  void stop();

  std::size_t open_connections() const { return connections_.load(); }

  // Connections that open with the HTTP/2 client preface go to `handler` (which must outlive the
  // server); without one they are answered as (malformed) HTTP/1.1. Call before start().
  void set_http2_handler(Http2Handler* handler) { http2_ = handler; }

 private:
  struct Connection;

  boost::asio::awaitable<void> accept_loop();
  // Accepts, without waiting, up to kAcceptBurst connections already queued by the kernel.
  void accept_queued();
  void start_connection(boost::asio::ip::tcp::socket socket);
  // `open`: the connections open, this one included, when it was accepted.
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> connection, std::size_t open);
  template <class Stream>
  boost::asio::awaitable<void> request_loop(Stream& stream, Connection& connection,
                                            std::size_t open);
  boost::asio::awaitable<Response> dispatch(Request& request);
  enum class Opening { http1, http2, closed };
  template <class Stream>
  boost::asio::awaitable<Opening> read_opening(Stream& stream, boost::beast::flat_buffer& buffer);

  boost::asio::io_context& next_loop();

  std::vector<boost::asio::io_context*> loops_;
  std::size_t next_loop_ = 0;  // the loop of the next accepted connection; accept loop only
  HttpLimits limits_;
  const Router& router_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Http2Handler* http2_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex live_mutex_;
  std::unordered_set<Connection*> live_;
};

}  // namespace tessera::http
