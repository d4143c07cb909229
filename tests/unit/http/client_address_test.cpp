#include "server/http/client_address.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

Request request_from(const char* peer, std::initializer_list<const char*> forwarded = {}) {
  Request request;
  request.peer = boost::asio::ip::make_address(peer);
  for (const char* value : forwarded)
    request.message.insert("X-Forwarded-For", value);
  return request;
}

TEST(TrustedProxies, ParsesAddressesAndRanges) {
  EXPECT_TRUE(TrustedProxies::parse(""));
  EXPECT_TRUE(TrustedProxies::parse("10.0.0.0/8, 127.0.0.1,::1,fd00::/8"));
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/33"));
  EXPECT_FALSE(TrustedProxies::parse("not-an-ip"));
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/x"));
  const auto proxies = *TrustedProxies::parse("10.0.0.0/8");
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("10.200.1.1")));
  EXPECT_TRUE(proxies.contains(boost::asio::ip::make_address("::ffff:10.1.2.3")));
  EXPECT_FALSE(proxies.contains(boost::asio::ip::make_address("11.0.0.1")));
}

TEST(ClientAddress, IgnoresForwardedForWithoutTrustedProxies) {
  const auto proxies = *TrustedProxies::parse("");
  EXPECT_EQ(client_address(request_from("203.0.113.5", {"1.2.3.4"}), proxies), "203.0.113.5");
}

TEST(ClientAddress, IgnoresForwardedForFromAnUntrustedPeer) {
  const auto proxies = *TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(client_address(request_from("203.0.113.5", {"1.2.3.4"}), proxies), "203.0.113.5");
}

TEST(ClientAddress, TakesTheRightmostUntrustedHop) {
  const auto proxies = *TrustedProxies::parse("10.0.0.0/8");
  // A client can prepend anything; only what trusted hops appended counts.
  EXPECT_EQ(client_address(request_from("10.0.0.2", {"6.6.6.6, 198.51.100.9, 10.0.0.3"}), proxies),
            "198.51.100.9");
  EXPECT_EQ(client_address(request_from("10.0.0.2", {"6.6.6.6", "198.51.100.9"}), proxies),
            "198.51.100.9");
}

TEST(ClientAddress, FallsBackToThePeerOnGarbage) {
  const auto proxies = *TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(client_address(request_from("10.0.0.2", {"garbage"}), proxies), "10.0.0.2");
  EXPECT_EQ(client_address(request_from("10.0.0.2"), proxies), "10.0.0.2");
}

}  // namespace
}  // namespace tessera::http
