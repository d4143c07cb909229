// The HTTP/2 side of the listener with raw bytes (the gRPC calls themselves are proven by the
// Scalekit SDK in tests/interop): the preface switches a connection to HTTP/2, a broken HTTP/2
// peer is closed cleanly, and none of it disturbs HTTP/1.1 on the same port.
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct Frame {
  std::uint32_t length;
  std::uint8_t type;
  std::uint8_t flags;
  std::uint32_t stream;
  std::string payload;
};

constexpr std::uint8_t kSettings = 0x4, kGoaway = 0x7;

// Splits what the server sent into frames; a trailing partial frame is dropped.
std::vector<Frame> frames_of(std::string_view bytes) {
  std::vector<Frame> frames;
  std::size_t at = 0;
  while (bytes.size() - at >= 9) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[at + i]); };
    Frame frame{
        static_cast<std::uint32_t>(byte(0) << 16 | byte(1) << 8 | byte(2)),
        byte(3),
        byte(4),
        static_cast<std::uint32_t>((byte(5) & 0x7F) << 24 | byte(6) << 16 | byte(7) << 8 | byte(8)),
        {}};
    if (bytes.size() - at - 9 < frame.length) break;
    frame.payload = std::string(bytes.substr(at + 9, frame.length));
    at += 9 + frame.length;
    frames.push_back(std::move(frame));
  }
  return frames;
}

bool has_frame(const std::vector<Frame>& frames, std::uint8_t type) {
  return std::any_of(frames.begin(), frames.end(), [&](const Frame& f) { return f.type == type; });
}

// SETTINGS entries as (id, value).
std::map<std::uint16_t, std::uint32_t> settings_of(const Frame& frame) {
  std::map<std::uint16_t, std::uint32_t> out;
  for (std::size_t i = 0; i + 6 <= frame.payload.size(); i += 6) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(frame.payload[i + k]); };
    out[static_cast<std::uint16_t>(b(0) << 8 | b(1))] =
        static_cast<std::uint32_t>(b(2) << 24 | b(3) << 16 | b(4) << 8 | b(5));
  }
  return out;
}

class Http2Test : public ServerTest {
 protected:
  void expect_http1_still_served() {
    const auto health = request(server->port(), "GET", "/healthz");
    EXPECT_EQ(health.status, 200) << health.describe();
  }
};

TEST_F(Http2Test, PrefaceThenGarbageIsAGoawayAndAClose) {
  Connection connection(server->port());
  connection.send(std::string(kPreface) + "this is not an HTTP/2 frame at all, just text\r\n");
  const auto received = connection.read_until_closed();
  ASSERT_TRUE(received.has_value()) << "the server kept a broken HTTP/2 connection open";
  const auto frames = frames_of(*received);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.front().type, kSettings);  // the server's connection preface
  EXPECT_TRUE(has_frame(frames, kGoaway)) << "closed without telling the peer why";
  expect_http1_still_served();
}

TEST_F(Http2Test, TheServerAdvertisesItsLimits) {
  Connection connection(server->port());
  // Preface and an empty SETTINGS frame, then a GOAWAY of our own: the server answers and closes.
  connection.send(std::string(kPreface) + std::string("\0\0\0\x04\0\0\0\0\0", 9) +
                  std::string("\0\0\x08\x07\0\0\0\0\0"
                              "\0\0\0\0"
                              "\0\0\0\0",
                              17));
  const auto received = connection.read_until_closed();
  ASSERT_TRUE(received.has_value());
  const auto frames = frames_of(*received);
  ASSERT_FALSE(frames.empty());
  ASSERT_EQ(frames.front().type, kSettings);
  const auto settings = settings_of(frames.front());
  EXPECT_EQ(settings.at(0x3), 32u);    // SETTINGS_MAX_CONCURRENT_STREAMS
  EXPECT_EQ(settings.at(0x6), 8192u);  // SETTINGS_MAX_HEADER_LIST_SIZE
  expect_http1_still_served();
}

TEST_F(Http2Test, APrefaceCutShortIsClosed) {
  Connection connection(server->port());
  connection.send(kPreface.substr(0, 10));
  ::shutdown(connection.native_handle(), SHUT_WR);
  const auto received = connection.read_until_closed();
  ASSERT_TRUE(received.has_value());
  EXPECT_TRUE(received->empty()) << "answered half a preface: " << *received;
  expect_http1_still_served();
}

TEST_F(Http2Test, ANearPrefaceIsHttp1AndAnsweredAsSuch) {
  Connection connection(server->port());
  // Differs from the preface in its last line: not HTTP/2, so the HTTP/1.1 parser refuses it.
  connection.send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value()) << "no HTTP/1.1 answer";
  EXPECT_GE(response->status, 400);
  EXPECT_LT(response->status, 500);
  expect_http1_still_served();
}

TEST_F(Http2Test, Http1KeepAliveIsUnchanged) {
  Connection connection(server->port());
  for (int i = 0; i < 3; ++i) {
    connection.send(format_request(server->port(), "GET", "/healthz", {}, "", false));
    const auto response = connection.read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
}

// HTTP/2 connections are the listener's connections: they count against --max-connections.
class Http2ConnectionCapTest : public ServerTest {
 protected:
  static constexpr int kCap = 2;
  ServerOptions server_options() override {
    return {.args = {"--max-connections", std::to_string(kCap)}};
  }

  // The status of one HTTP/1.1 /healthz request on a fresh connection, 0 when none came.
  int healthz_status() {
    Connection connection(server->port());
    connection.try_send(format_request(server->port(), "GET", "/healthz", {}, "", true));
    const auto response = connection.read_response();
    return response ? response->status : 0;
  }
};

TEST_F(Http2ConnectionCapTest, Http2ConnectionsCountAgainstTheCap) {
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < kCap; ++i) {
    held.push_back(std::make_unique<Connection>(server->port()));
    held.back()->send(std::string(kPreface) + std::string("\0\0\0\x04\0\0\0\0\0", 9));
  }
  int status = 0;
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline && status != 503;) {
    status = healthz_status();
  }
  EXPECT_EQ(status, 503) << "two idle HTTP/2 connections did not fill a cap of two";
  held.pop_back();
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline && status != 200;) {
    status = healthz_status();
  }
  EXPECT_EQ(status, 200) << "closing an HTTP/2 connection did not free its place";
}

}  // namespace
}  // namespace tessera::it
