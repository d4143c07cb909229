#include "server/http/server.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/http/api_error.hpp"
#include "server/http/framing.hpp"

namespace tessera::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kAcceptBurst = 64;

// Errors that mean "the peer went away or was too slow": close without answering.
bool is_disconnect(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe;
}

Response framing_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return api_error(ApiStatus::headers_too_large, "request header too large");
  }
  if (ec == bhttp::error::body_limit) {
    return api_error(ApiStatus::payload_too_large, "request body too large");
  }
  return api_error(ApiStatus::invalid_argument, "malformed HTTP request: " + ec.message());
}

}  // namespace

struct HttpServer::Connection : std::enable_shared_from_this<HttpServer::Connection> {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;             // moved into the TLS stream when TLS is on
  beast::tcp_stream* lowest = &stream;  // the live TCP layer, for stop(); null once gone
  asio::ip::address peer;
  bool in_request = false;  // touched only by the connection's loop
};

HttpServer::HttpServer(std::vector<asio::io_context*> loops, const HttpLimits& limits,
                       const Router& router, std::shared_ptr<asio::ssl::context> tls)
    : loops_(std::move(loops)),
      limits_(limits),
      router_(router),
      tls_(std::move(tls)),
      acceptor_(*loops_.front()) {}

HttpServer::~HttpServer() = default;

boost::system::error_code HttpServer::listen(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  // For accept_queued(): a synchronous accept that finds the queue empty returns would_block.
  if (!ec) acceptor_.non_blocking(true, ec);
  return ec;
}

std::uint16_t HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

void HttpServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void HttpServer::stop() {
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  std::lock_guard lock(live_mutex_);
  for (Connection* connection : live_) {
    // Owning: the connection may finish and be freed before this runs on its loop.
    asio::post(connection->stream.get_executor(), [owned = connection->shared_from_this()] {
      if (!owned->in_request && owned->lowest != nullptr) owned->lowest->socket().close();
    });
  }
}

// Round robin, advanced by start_connection(): an accept that found nothing does not skip a loop.
asio::io_context& HttpServer::next_loop() {
  return *loops_[next_loop_];
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(next_loop(), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    start_connection(std::move(socket));
    accept_queued();
  }
}

// Under load this loop gets one turn per pass through the first event loop's queue, behind every
// busy connection's work. Taking one connection per turn left a burst of new connections, each with
// its first request already sent, queued in the kernel for seconds (p99 above 1 s at 256
// connections); taking what is queued, up to a bound that keeps the turn short, does not.
void HttpServer::accept_queued() {
  for (std::size_t i = 0; i < kAcceptBurst && !stopping_; ++i) {
    tcp::socket socket(next_loop());
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec) return;  // would_block: the queue is empty; any other error, async_accept reports
    start_connection(std::move(socket));
  }
}

void HttpServer::start_connection(tcp::socket socket) {
  next_loop_ = (next_loop_ + 1) % loops_.size();
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto connection = std::make_shared<Connection>(std::move(socket));
  const auto executor = connection->stream.get_executor();  // before the pointer is moved
  // Counted here, in accept order: the loops start their connections in no particular order, and
  // the cap must turn away the newest, not whichever started last.
  const std::size_t open = ++connections_;
  asio::co_spawn(executor, serve(std::move(connection), open), asio::detached);
}

asio::awaitable<Response> HttpServer::dispatch(Request& request) {
  const auto match = router_.match(request.message.method(), request.path());
  if (match.route == nullptr) {
    if (match.allowed.empty()) co_return api_error(ApiStatus::not_found, "no such resource");
    Response response = api_error(ApiStatus::method_not_allowed, "method not allowed");
    std::string allow;
    for (const auto verb : match.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(bhttp::to_string(verb));
    }
    response.set(bhttp::field::allow, allow);
    co_return response;
  }
  try {
    co_return co_await match.route->handler(request, match.params);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} failed: {}", request.path(), e.what());
  }
  co_return api_error(ApiStatus::internal, "internal error");
}

asio::awaitable<void> HttpServer::serve(std::shared_ptr<Connection> connection, std::size_t open) {
  {
    boost::system::error_code ec;
    connection->peer = connection->stream.socket().remote_endpoint(ec).address();
  }
  {
    std::lock_guard lock(live_mutex_);
    live_.insert(connection.get());
  }
  struct Leave {
    HttpServer* server;
    Connection* connection;
    ~Leave() {
      std::lock_guard lock(server->live_mutex_);
      server->live_.erase(connection);
      --server->connections_;
    }
  } leave{this, connection.get()};

  if (!tls_) {
    co_await request_loop(connection->stream, *connection, open);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(connection->stream), *tls_);
  connection->lowest = &beast::get_lowest_layer(stream);
  // The stream dies with this frame, the Connection may outlive it (a pending stop()).
  struct Forget {
    Connection& connection;
    ~Forget() { connection.lowest = nullptr; }
  } forget{*connection};
  beast::get_lowest_layer(stream).expires_after(limits_.header_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) {
    spdlog::debug("TLS handshake with {} failed: {}", connection->peer.to_string(), ec.message());
    co_return;
  }
  co_await request_loop(stream, *connection, open);
}

// Reads until the first bytes either are the HTTP/2 client preface or cannot be. An HTTP/1.1
// request differs from it at its second byte at the latest ("PRI" is no method tessera serves),
// so HTTP/1.1 connections pay one comparison of what the first read brought.
template <class Stream>
asio::awaitable<HttpServer::Opening> HttpServer::read_opening(Stream& stream,
                                                              beast::flat_buffer& buffer) {
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(limits_.idle_timeout);
  while (true) {
    const std::string_view seen(static_cast<const char*>(buffer.data().data()), buffer.size());
    const std::size_t compared = std::min(seen.size(), kHttp2Preface.size());
    if (seen.substr(0, compared) != kHttp2Preface.substr(0, compared)) co_return Opening::http1;
    if (compared == kHttp2Preface.size()) co_return Opening::http2;
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
    if (ec) co_return Opening::closed;
    buffer.commit(n);
    // The preface is short: once part of it has arrived, the rest must follow promptly.
    tcp.expires_after(limits_.header_timeout);
  }
}

template <class Stream>
asio::awaitable<void> HttpServer::request_loop(Stream& stream, Connection& connection,
                                               std::size_t open) {
  auto& tcp = beast::get_lowest_layer(stream);
  if (open > limits_.max_connections) {
    Response busy = api_error(ApiStatus::unavailable, "too many connections");
    busy.keep_alive(false);
    tcp.expires_after(limits_.header_timeout);
    co_await bhttp::async_write(stream, busy, kTuple);
    tcp.socket().close();
    co_return;
  }

  beast::flat_buffer buffer(limits_.max_header_bytes + limits_.max_body_bytes);
  if (http2_ != nullptr) {
    const Opening opening = co_await read_opening(stream, buffer);
    if (opening == Opening::http2) {
      co_await http2_->serve(stream, buffer, {connection.peer, connection.in_request, stopping_});
    }
    if (opening != Opening::http1) {
      boost::system::error_code ignored;
      tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
      tcp.socket().close(ignored);
      co_return;
    }
  }
  while (!stopping_) {
    // Between requests a connection may idle for idle_timeout; once a request starts, its header
    // must arrive within header_timeout (a slowloris cannot stretch it byte by byte).
    if (buffer.size() == 0) {
      tcp.expires_after(limits_.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
      if (ec) break;
      buffer.commit(n);
    }
    connection.in_request = true;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser.body_limit(limits_.max_body_bytes);
    tcp.expires_after(limits_.header_timeout);
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    Response response;
    bool must_close = false;
    if (header_ec) {
      if (is_disconnect(header_ec)) break;
      response = framing_error(header_ec);
      must_close = true;
    } else if (auto violation = framing_violation(parser.get(), limits_.max_header_fields)) {
      response = api_error(ApiStatus::invalid_argument, *violation);
      must_close = true;
    } else {
      const std::string_view target = parser.get().target();
      const auto match = router_.match(parser.get().method(), target.substr(0, target.find('?')));
      const std::size_t route_limit = match.route != nullptr ? match.route->body_limit : 0;
      if (route_limit != 0) parser.body_limit(route_limit);
      // Beast compares a Content-Length with the body limit only while it parses the header,
      // which ran under the general limit: a route's smaller limit is checked here, before any
      // of the body is read (or 100 Continue invites it).
      const auto length = parser.content_length();
      if (route_limit != 0 && length && *length > route_limit) {
        response = framing_error(bhttp::error::body_limit);
        must_close = true;
      } else {
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
          co_await bhttp::async_write(stream, go_on, kTuple);
        }
        tcp.expires_after(limits_.body_timeout);
        auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (body_ec) {
          if (is_disconnect(body_ec)) break;
          response = framing_error(body_ec);
          must_close = true;
        } else {
          Request request{parser.release(), connection.peer};
          response = co_await dispatch(request);
          response.keep_alive(request.message.keep_alive() && !stopping_);
        }
      }
    }
    if (must_close) response.keep_alive(false);
    response.prepare_payload();
    tcp.expires_after(limits_.body_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, response, kTuple);
    connection.in_request = false;
    if (write_ec || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
  tcp.socket().close(ignored);
}

}  // namespace tessera::http
