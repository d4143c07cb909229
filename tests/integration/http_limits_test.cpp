// Slow and greedy clients, with raw bytes on a socket: a header trickled byte by byte is cut at the
// header timeout, a stalled body at the body timeout, an idle keep-alive connection at the idle
// timeout (all three set with --*-timeout-ms), connections beyond --max-connections get 503, and
// framing that RFC 9112 forbids (bare LF, a chunk size that overflows) is 400 and closed.
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = 1000ms;  // each of the three timeouts in this file's servers
// A timer never fires early; it may fire late on a loaded machine. Closing later than this after
// the deadline fails the test (the defaults are 10, 30 and 60 s: a forgotten knob is caught).
constexpr auto kLateMargin = 4000ms;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class HttpTimeoutTest : public ServerTest {
 protected:
  ServerOptions server_options() override {
    const std::string ms = std::to_string(kTimeout.count());
    return {.args = {"--header-timeout-ms", ms, "--body-timeout-ms", ms, "--idle-timeout-ms", ms}};
  }

  // Sends `bytes` one at a time, `gap` apart, until the server closes the connection or `limit`
  // passes. Returns the seconds from the first byte to the close (or a large value), and how many
  // bytes went out. The server must not answer a request it never got whole.
  std::pair<double, std::size_t> trickle(Connection& connection, const std::string& bytes,
                                         std::chrono::milliseconds gap,
                                         std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    std::size_t sent = 0;
    while (Clock::now() - start < limit) {
      if (sent < bytes.size()) {
        if (!connection.try_send(std::string_view(bytes).substr(sent, 1))) break;
        ++sent;
      }
      if (connection.closed_by_peer(gap)) return {seconds_since(start), sent};
    }
    return {seconds_since(start), sent};
  }

  static void expect_cut_at_timeout(double seconds) {
    const double timeout = std::chrono::duration<double>(kTimeout).count();
    EXPECT_GE(seconds, timeout * 0.9) << "closed before the timeout";
    EXPECT_LE(seconds, timeout + std::chrono::duration<double>(kLateMargin).count())
        << "not closed at the timeout";
  }
};

TEST_F(HttpTimeoutTest, SlowlorisHeaderIsCutAtTheHeaderTimeout) {
  // 100 ms per byte: a 300-byte header would take 30 s; the server gives it one second in total,
  // however steadily bytes keep arriving.
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(250, 'a') + "\r\n\r\n";
  Connection connection(server->port());
  const auto [seconds, sent] = trickle(connection, header, 100ms, 10s);
  expect_cut_at_timeout(seconds);
  EXPECT_LT(sent, header.size());
  // Control: a header that arrives in a few pieces within the timeout is served.
  Connection patient(server->port());
  const std::string request = format_request(server->port(), "GET", "/healthz", {}, "", true);
  for (std::size_t i = 0; i < request.size(); i += request.size() / 3 + 1) {
    patient.send(std::string_view(request).substr(i, request.size() / 3 + 1));
    std::this_thread::sleep_for(150ms);
  }
  const auto response = patient.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpTimeoutTest, StalledOrTrickledBodyIsCutAtTheBodyTimeout) {
  const std::string head =
      "POST /api/v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Authorization: Bearer " +
      api->admin_token() + "\r\nContent-Length: 400\r\n\r\n";
  {
    // Stalled: the header and 10 of the 400 announced bytes, then nothing.
    Connection connection(server->port());
    const auto start = Clock::now();
    connection.send(head + R"({"display_)");
    const bool closed = connection.closed_by_peer(kTimeout + kLateMargin);
    EXPECT_TRUE(closed);
    expect_cut_at_timeout(seconds_since(start));
  }
  {
    // Trickled: a byte every 100 ms keeps coming, but the body as a whole has one second.
    Connection connection(server->port());
    connection.send(head);
    const std::string body = R"({"display_name":")" + std::string(380, 'x') + "\"}";
    const auto [seconds, sent] = trickle(connection, body, 100ms, 10s);
    expect_cut_at_timeout(seconds);
    EXPECT_LT(sent, body.size());
  }
  // Nothing was created from the partial bodies.
  EXPECT_EQ(api->call("GET", "/api/v1/organizations").json().at("total_size"), 0);
}

TEST_F(HttpTimeoutTest, IdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  const auto port = server->port();
  Connection connection(port);
  connection.send(format_request(port, "GET", "/healthz", {}, "", false));
  ASSERT_TRUE(connection.read_response().has_value());
  // Control: a next request within the idle timeout is served on the same connection.
  std::this_thread::sleep_for(kTimeout / 2);
  connection.send(format_request(port, "GET", "/healthz", {}, "", false));
  const auto second = connection.read_response();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  const auto start = Clock::now();
  EXPECT_TRUE(connection.closed_by_peer(kTimeout + kLateMargin));
  const double seconds = seconds_since(start);
  EXPECT_GE(seconds, std::chrono::duration<double>(kTimeout).count() * 0.8);
  EXPECT_LE(seconds, std::chrono::duration<double>(kTimeout + kLateMargin).count());
}

TEST(HttpTimeoutFlags, OutOfRangeValuesRefuseToStart) {
  for (const char* flag : {"--header-timeout-ms", "--body-timeout-ms", "--idle-timeout-ms"}) {
    for (const char* value : {"0", "-5", "soon"}) {
      ServerProcess server({.args = {flag, value}});
      EXPECT_THROW(server.start(), std::runtime_error) << flag << " " << value;
    }
  }
}

class ConnectionCapTest : public ServerTest {
 protected:
  static constexpr int kCap = 4;
  ServerOptions server_options() override {
    return {.args = {"--max-connections", std::to_string(kCap)}};
  }
};

TEST_F(ConnectionCapTest, ConnectionsBeyondTheCapGet503AndTheCapFreesUp) {
  const auto port = server->port();
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < kCap; ++i) {
    held.push_back(std::make_unique<Connection>(port));
    held.back()->send(format_request(port, "GET", "/healthz", {}, "", false));
    const auto response = held.back()->read_response();
    ASSERT_TRUE(response.has_value());
    ASSERT_EQ(response->status, 200) << "connection " << i;
  }
  // The excess: answered 503 + Retry-After in the contract's error shape, then closed.
  for (int i = 0; i < 3; ++i) {
    Connection excess(port);
    excess.try_send(format_request(port, "GET", "/healthz", {}, "", false));
    const auto response = excess.read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 503) << response->describe();
    EXPECT_EQ(response->header("retry-after"), "1");
    EXPECT_EQ(response->json().value("code", 0), 14);  // UNAVAILABLE
    EXPECT_TRUE(excess.closed_by_peer());
  }
  // The held connections still work.
  for (auto& connection : held) {
    connection->send(format_request(port, "GET", "/healthz", {}, "", false));
    const auto response = connection->read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  // One leaves: a newcomer gets in (once the server has seen the close).
  held.pop_back();
  int status = 0;
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline && status != 200;) {
    Connection newcomer(port);
    newcomer.try_send(format_request(port, "GET", "/healthz", {}, "", true));
    const auto response = newcomer.read_response();
    status = response ? response->status : 0;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 200);
}

class HttpFramingTest : public ServerTest {
 protected:
  void expect_400_and_closed(const std::string& bytes) {
    Connection connection(server->port());
    connection.try_send(bytes);
    const auto response = connection.read_response();
    ASSERT_TRUE(response.has_value()) << "no response";
    EXPECT_EQ(response->status, 400) << response->describe();
    EXPECT_EQ(response->json().value("code", 0), 3) << response->describe();
    EXPECT_TRUE(connection.closed_by_peer()) << "connection left open after a framing error";
  }
  static constexpr std::string_view kSmuggled = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
};

TEST_F(HttpFramingTest, BareLineFeedsAre400AndClosed) {
  const std::vector<std::string> requests{
      "GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n",                // LF everywhere
      "GET /healthz HTTP/1.1\nHost: 127.0.0.1\r\n\r\n",            // after the request line
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\r\n",  // inside the fields
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\n\r\n",  // before the blank line
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\n\n",  // the blank line itself
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\rX-A: b\r\n\r\n",  // bare CR
  };
  for (const auto& bytes : requests) {
    SCOPED_TRACE(Json(bytes).dump());
    expect_400_and_closed(bytes + std::string(kSmuggled));
  }
  // A bare LF ending a chunk-size line or chunk data.
  const std::string head =
      "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
  expect_400_and_closed(head + "5\ngrant\r\n0\r\n\r\n" + std::string(kSmuggled));
  expect_400_and_closed(head + "5\r\ngrant\n0\r\n\r\n" + std::string(kSmuggled));
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpFramingTest, ChunkSizeOverflowIs400AndClosed) {
  const std::string head =
      "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& size :
       {std::string("1") + std::string(16, '0'),  // 2^64: one past the largest 64-bit value
        std::string(17, 'f'), std::string(40, 'F'), std::string("10000000000000000000000005"),
        std::string("-1"), std::string("0x5"), std::string("+5"), std::string(" 5"),
        std::string("")}) {
    SCOPED_TRACE("chunk size '" + size + "'");
    expect_400_and_closed(head + size + "\r\ngrant\r\n0\r\n\r\n" + std::string(kSmuggled));
  }
  // A size that fits in 64 bits but not in the route's limit is refused before any of it is read
  // (413; the form body of /oauth/token is capped at 4 KiB).
  Connection connection(server->port());
  connection.try_send(head + "fffffffffffffff\r\ngrant");
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413) << response->describe();
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace tessera::it
