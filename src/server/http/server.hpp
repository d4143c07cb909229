// The HTTP/1.1 listener: one coroutine per connection, bounded in bytes, fields, time and count.
// Requests on a connection are answered in order (pipelining is served sequentially).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/http/limits.hpp"
#include "server/http/router.hpp"

namespace tessera::http {

class HttpServer {
 public:
  // With a TLS context, every connection must complete a TLS handshake first.
  HttpServer(boost::asio::io_context& io, const HttpLimits& limits, const Router& router,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~HttpServer();

  // Binds and listens; returns the error when the address cannot be used.
  boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t port() const;

  void start();
  // Stops accepting, lets requests in flight finish, and closes idle connections.
  void stop();

  std::size_t open_connections() const { return connections_.load(); }

 private:
  struct Connection;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  template <class Stream>
  boost::asio::awaitable<void> request_loop(Stream& stream, Connection& connection,
                                            std::size_t open);
  boost::asio::awaitable<Response> dispatch(Request& request);

  boost::asio::io_context& io_;
  HttpLimits limits_;
  const Router& router_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex live_mutex_;
  std::unordered_set<Connection*> live_;
};

}  // namespace tessera::http
