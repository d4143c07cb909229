#include "server/grpc/grpc_server.hpp"

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/grpc/framing.hpp"

namespace tessera::grpc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kWriteChunk = 64 * 1024;

// What the session needs from the stream, whatever its type (TCP or TLS).
struct Io {
  std::function<asio::awaitable<std::pair<boost::system::error_code, std::size_t>>(
      asio::mutable_buffer)>
      read_some;
  std::function<asio::awaitable<boost::system::error_code>(asio::const_buffer)> write;
  std::function<void()> cancel;  // ends a pending read (shutdown while idle)
};

// The request as the HEADERS and DATA frames of one stream delivered it.
struct StreamRequest {
  std::string method;
  std::string path;
  std::string content_type;
  std::string authorization;
  std::string grpc_encoding;
  std::string forwarded_for;
  std::string body;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
};

struct StreamState {
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  StreamRequest request;
  std::string response;  // the framed response message, sent by the data provider
  std::size_t sent = 0;
  bool dispatched = false;
  bool calling = false;  // its call is running
};

nghttp2_nv header(std::string_view name, std::string_view value) {
  // nghttp2 copies names and values on submit; the views only need to live through the call.
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

bool is_grpc_content_type(std::string_view type) {
  // "application/grpc", "application/grpc+proto", optionally with parameters.
  const std::string_view media = type.substr(0, type.find(';'));
  return media == "application/grpc" || media == "application/grpc+proto";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::any_io_executor executor, Io io, const MethodTable& methods,
          const http::TrustedProxies& proxies, const GrpcLimits& limits,
          http::Http2Connection connection)
      : executor_(executor),
        io_(std::move(io)),
        methods_(methods),
        proxies_(proxies),
        limits_(limits),
        connection_(connection),
        drained_(executor) {}

  ~Session() {
    if (h2_ != nullptr) nghttp2_session_del(h2_);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool open();
  asio::awaitable<void> run(beast::flat_buffer& buffered);

 private:
  // nghttp2 callbacks (user_data is the Session).
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t flags, void* user_data);
  static int on_data_chunk(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t length, void* user_data);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* user_data);
  static ssize_t read_response(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buf,
                               std::size_t length, std::uint32_t* data_flags,
                               nghttp2_data_source* source, void* user_data);

  StreamState* state_of(std::int32_t stream_id) {
    return static_cast<StreamState*>(nghttp2_session_get_stream_user_data(h2_, stream_id));
  }

  bool feed(asio::const_buffer bytes);
  void reset_slow_requests();
  void dispatch_ready();
  void dispatch(std::int32_t stream_id, StreamState& state);
  asio::awaitable<void> call(std::shared_ptr<Session> self, std::int32_t stream_id,
                             const UnaryMethod& method, StreamRequest request);
  asio::awaitable<void> flush();
  void drain_one_task();

  void respond_http_error(std::int32_t stream_id, std::string_view status);
  void respond_status(std::int32_t stream_id, const Status& status);
  void respond_message(std::int32_t stream_id, std::string_view message);

  asio::any_io_executor executor_;
  Io io_;
  const MethodTable& methods_;
  const http::TrustedProxies& proxies_;
  const GrpcLimits& limits_;
  http::Http2Connection connection_;
  nghttp2_session* h2_ = nullptr;
  std::map<std::int32_t, std::unique_ptr<StreamState>> streams_;
  std::vector<std::int32_t> ready_;  // requests completed during the last feed()
  std::size_t calls_in_flight_ = 0;
  std::size_t orphaned_calls_ = 0;  // calls still running for streams the client already reset
  bool writing_ = false;
  bool broken_ = false;
  asio::steady_timer drained_;  // signalled when the last call ends
};

bool Session::open() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_option* options = nullptr;
  if (nghttp2_option_new(&options) != 0) {
    nghttp2_session_callbacks_del(callbacks);
    return false;
  }
  // Peers must not make the session hold unbounded state: a few SETTINGS entries, no pushes.
  nghttp2_option_set_max_settings(options, 32);
  nghttp2_option_set_max_reserved_remote_streams(options, 0);
  const int created = nghttp2_session_server_new2(&h2_, callbacks, this, options);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) return false;
  const std::array<nghttp2_settings_entry, 2> settings{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list_bytes},
  }};
  return nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) == 0;
}

int Session::on_begin_headers(nghttp2_session* h2, const nghttp2_frame* frame, void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  const std::int32_t id = frame->hd.stream_id;
  // Streams reset by the client leave their calls running; those count against the limit too,
  // so that opening and resetting streams cannot pile up work (the "rapid reset" pattern).
  if (self.streams_.size() + self.orphaned_calls_ >= self.limits_.max_concurrent_streams) {
    nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  auto state = std::make_unique<StreamState>();
  nghttp2_session_set_stream_user_data(h2, id, state.get());
  self.streams_.emplace(id, std::move(state));
  return 0;
}

int Session::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  StreamState* state = self.state_of(frame->hd.stream_id);
  if (state == nullptr) return 0;
  auto& request = state->request;
  // RFC 9113 §6.5.2 counts 32 bytes of overhead per field.
  request.header_bytes += name_length + value_length + 32;
  if (request.header_bytes > self.limits_.max_header_list_bytes) {
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
  }
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  const std::string_view key(reinterpret_cast<const char*>(name), name_length);
  const std::string_view text(reinterpret_cast<const char*>(value), value_length);
  if (key == ":method") {
    request.method = text;
  } else if (key == ":path") {
    request.path = text;
  } else if (key == "content-type") {
    request.content_type = text;
  } else if (key == "authorization") {
    request.authorization = text;
  } else if (key == "grpc-encoding") {
    request.grpc_encoding = text;
  } else if (key == "x-forwarded-for") {
    if (!request.forwarded_for.empty()) request.forwarded_for.push_back(',');
    request.forwarded_for.append(text);
  }
  return 0;
}

int Session::on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t length, void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  StreamState* state = self.state_of(stream_id);
  if (state == nullptr) return 0;
  auto& request = state->request;
  // Nothing beyond one maximal message is kept; the call fails with RESOURCE_EXHAUSTED.
  if (request.body_too_large ||
      request.body.size() + length > self.limits_.max_message_bytes + kFramePrefixBytes) {
    request.body_too_large = true;
    request.body.clear();
    return 0;
  }
  request.body.append(reinterpret_cast<const char*>(data), length);
  return 0;
}

int Session::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  const bool ends_request = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (!ends_request) return 0;
  StreamState* state = self.state_of(frame->hd.stream_id);
  if (state == nullptr || state->dispatched) return 0;
  state->dispatched = true;
  self.ready_.push_back(frame->hd.stream_id);
  return 0;
}

int Session::on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                             void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  const auto closed = self.streams_.find(stream_id);
  if (closed == self.streams_.end()) return 0;
  if (closed->second->calling) ++self.orphaned_calls_;
  self.streams_.erase(closed);
  return 0;
}

ssize_t Session::read_response(nghttp2_session* h2, std::int32_t stream_id, std::uint8_t* buf,
                               std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                               void* user_data) {
  auto& self = *static_cast<Session*>(user_data);
  StreamState* state = self.state_of(stream_id);
  if (state == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::size_t n = std::min(length, state->response.size() - state->sent);
  std::copy_n(state->response.data() + state->sent, n, buf);
  state->sent += n;
  if (state->sent == state->response.size()) {
    // The stream ends with the trailers, which carry the status.
    *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    const std::array<nghttp2_nv, 1> trailers{header("grpc-status", "0")};
    if (nghttp2_submit_trailer(h2, stream_id, trailers.data(), trailers.size()) != 0) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
  }
  return static_cast<ssize_t>(n);
}

void Session::respond_http_error(std::int32_t stream_id, std::string_view status) {
  const std::array<nghttp2_nv, 1> headers{header(":status", status)};
  nghttp2_submit_response(h2_, stream_id, headers.data(), headers.size(), nullptr);
}

void Session::respond_status(std::int32_t stream_id, const Status& status) {
  // Trailers-Only: one HEADERS frame with the status, ending the stream.
  const std::string code = std::to_string(static_cast<int>(status.code));
  const std::string message = percent_encode_message(status.message);
  const std::array<nghttp2_nv, 4> headers{
      header(":status", "200"), header("content-type", "application/grpc"),
      header("grpc-status", code), header("grpc-message", message)};
  nghttp2_submit_response(h2_, stream_id, headers.data(), headers.size(), nullptr);
}

void Session::respond_message(std::int32_t stream_id, std::string_view message) {
  StreamState* state = state_of(stream_id);
  if (state == nullptr) return;
  state->response = frame_message(message);
  const std::array<nghttp2_nv, 2> headers{header(":status", "200"),
                                          header("content-type", "application/grpc")};
  nghttp2_data_provider provider{};
  provider.read_callback = read_response;
  nghttp2_submit_response(h2_, stream_id, headers.data(), headers.size(), &provider);
}

bool Session::feed(asio::const_buffer bytes) {
  const auto consumed =
      nghttp2_session_mem_recv(h2_, static_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (consumed < 0) {
    spdlog::debug("HTTP/2 from {}: {}", connection_.peer.to_string(),
                  nghttp2_strerror(static_cast<int>(consumed)));
    return false;
  }
  dispatch_ready();
  return true;
}

// A request must arrive whole within request_timeout: a client that keeps the connection alive
// (PINGs, other streams) cannot park half-sent requests, and their buffers, for longer.
void Session::reset_slow_requests() {
  const auto deadline = std::chrono::steady_clock::now() - limits_.request_timeout;
  for (const auto& [id, state] : streams_) {
    if (!state->dispatched && state->opened < deadline) {
      nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    }
  }
}

void Session::dispatch_ready() {
  // Outside the nghttp2 callbacks: a call may answer at once, and submitting from inside
  // mem_recv is best avoided.
  std::vector<std::int32_t> ready;
  ready.swap(ready_);
  for (const std::int32_t id : ready) {
    StreamState* state = state_of(id);
    if (state != nullptr) dispatch(id, *state);
  }
}

void Session::dispatch(std::int32_t stream_id, StreamState& state) {
  StreamRequest& request = state.request;
  if (request.method != "POST") return respond_http_error(stream_id, "405");
  if (!is_grpc_content_type(request.content_type)) return respond_http_error(stream_id, "415");
  const auto method = methods_.find(request.path);
  if (method == methods_.end()) {
    return respond_status(stream_id, {StatusCode::unimplemented, "unknown method " + request.path});
  }
  if (request.body_too_large) {
    return respond_status(stream_id, {StatusCode::resource_exhausted, "request message too large"});
  }
  ++calls_in_flight_;
  state.calling = true;
  connection_.busy = true;
  asio::co_spawn(executor_, call(shared_from_this(), stream_id, method->second, std::move(request)),
                 asio::detached);
}

asio::awaitable<void> Session::call(std::shared_ptr<Session> self, std::int32_t stream_id,
                                    const UnaryMethod& method, StreamRequest request) {
  auto message = unary_message(request.body, request.grpc_encoding, limits_.max_message_bytes);
  UnaryResult result = fail(Status{StatusCode::internal, "internal error"});
  if (!message) {
    result = fail(message.error());
  } else {
    const CallContext context{
        std::move(request.authorization),
        http::client_address(connection_.peer, request.forwarded_for, proxies_)};
    try {
      result = co_await method(*message, context);
    } catch (const std::exception& e) {
      spdlog::error("gRPC {} failed: {}", request.path, e.what());
    }
  }
  // The client may have reset the stream meanwhile; then there is nobody to answer.
  if (const auto open = streams_.find(stream_id); open != streams_.end()) {
    open->second->calling = false;
    if (result) {
      respond_message(stream_id, *result);
    } else {
      respond_status(stream_id, result.error());
    }
  } else {
    --orphaned_calls_;
  }
  co_await flush();
  if (--calls_in_flight_ == 0) {
    connection_.busy = false;
    drained_.cancel();
    // A stop() that arrived during the call spared this connection; it ends now.
    if (connection_.stopping) io_.cancel();
  }
  (void)self;
}

asio::awaitable<void> Session::flush() {
  // One writer at a time; a flush that finds another running leaves the work to it (it loops
  // until nghttp2 has nothing more to send).
  if (writing_) co_return;
  writing_ = true;
  std::string out;
  while (!broken_) {
    out.clear();
    while (out.size() < kWriteChunk) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(h2_, &data);
      if (n < 0) {
        broken_ = true;
        break;
      }
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (out.empty()) break;
    if (auto ec = co_await io_.write(asio::buffer(out))) broken_ = true;
  }
  writing_ = false;
}

asio::awaitable<void> Session::run(beast::flat_buffer& buffered) {
  bool alive = feed(buffered.data());
  buffered.consume(buffered.size());
  co_await flush();
  std::array<char, 16 * 1024> chunk;
  while (alive && !broken_ && !connection_.stopping &&
         (nghttp2_session_want_read(h2_) != 0 || nghttp2_session_want_write(h2_) != 0)) {
    auto [ec, n] = co_await io_.read_some(asio::buffer(chunk));
    if (ec) break;
    alive = feed(asio::buffer(chunk.data(), n));
    reset_slow_requests();
    co_await flush();
  }
  if (connection_.stopping && !broken_) {
    nghttp2_session_terminate_session(h2_, NGHTTP2_NO_ERROR);  // GOAWAY
    co_await flush();
  }
  // Calls still running refer to this session and to the stream: wait for them.
  while (calls_in_flight_ > 0) {
    drained_.expires_at(asio::steady_timer::time_point::max());
    co_await drained_.async_wait(kTuple);
  }
}

}  // namespace

GrpcServer::GrpcServer(const MethodTable& methods, const http::TrustedProxies& proxies,
                       GrpcLimits limits)
    : methods_(methods), proxies_(proxies), limits_(limits) {}

template <class Stream>
asio::awaitable<void> GrpcServer::run(Stream& stream, beast::flat_buffer& buffered,
                                      http::Http2Connection connection) {
  auto& tcp = beast::get_lowest_layer(stream);
  const auto idle = limits_.idle_timeout;
  Io io{
      [&stream, &tcp, idle](asio::mutable_buffer buffer)
          -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
        tcp.expires_after(idle);
        auto [ec, n] = co_await stream.async_read_some(buffer, kTuple);
        co_return std::pair{ec, n};
      },
      [&stream, &tcp,
       idle](asio::const_buffer buffer) -> asio::awaitable<boost::system::error_code> {
        tcp.expires_after(idle);
        auto [ec, n] = co_await asio::async_write(stream, buffer, kTuple);
        co_return ec;
      },
      [&tcp] { tcp.cancel(); },
  };
  auto session = std::make_shared<Session>(stream.get_executor(), std::move(io), methods_, proxies_,
                                           limits_, connection);
  if (!session->open()) {
    spdlog::error("cannot create an HTTP/2 session");
    co_return;
  }
  co_await session->run(buffered);
}

asio::awaitable<void> GrpcServer::serve(beast::tcp_stream& stream, beast::flat_buffer& buffered,
                                        http::Http2Connection connection) {
  return run(stream, buffered, connection);
}

asio::awaitable<void> GrpcServer::serve(beast::ssl_stream<beast::tcp_stream>& stream,
                                        beast::flat_buffer& buffered,
                                        http::Http2Connection connection) {
  return run(stream, buffered, connection);
}

}  // namespace tessera::grpc
