#include "server/http/tls.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::http {
namespace {

// RFC 7301 wire format of a protocol list.
std::vector<unsigned char> alpn_list(const std::vector<std::string>& names) {
  std::vector<unsigned char> wire;
  for (const auto& name : names) {
    wire.push_back(static_cast<unsigned char>(name.size()));
    wire.insert(wire.end(), name.begin(), name.end());
  }
  return wire;
}

std::optional<std::string> chosen(const std::vector<unsigned char>& wire) {
  const auto answer = select_alpn(wire);
  if (!answer) return std::nullopt;
  // The answer must lie inside the client's list: OpenSSL requires it of the ALPN callback.
  const auto* begin = reinterpret_cast<const char*>(wire.data());
  EXPECT_GE(answer->data(), begin);
  EXPECT_LE(answer->data() + answer->size(), begin + wire.size());
  return std::string(*answer);
}

TEST(SelectAlpn, ClientsThatSpeakHttp1GetHttp1) {
  EXPECT_EQ(chosen(alpn_list({"h2", "http/1.1"})), "http/1.1");  // curl, browsers
  EXPECT_EQ(chosen(alpn_list({"http/1.1", "h2"})), "http/1.1");
  EXPECT_EQ(chosen(alpn_list({"http/1.1"})), "http/1.1");
  EXPECT_EQ(chosen(alpn_list({"spdy/3", "http/1.1"})), "http/1.1");
}

TEST(SelectAlpn, GrpcStacksThatOfferOnlyH2GetH2) {
  EXPECT_EQ(chosen(alpn_list({"h2"})), "h2");              // grpc-go, grpc-java, Node http2
  EXPECT_EQ(chosen(alpn_list({"grpc-exp", "h2"})), "h2");  // gRPC core (Python, C++)
}

TEST(SelectAlpn, NothingInCommonMeansNoAlpn) {
  EXPECT_EQ(chosen(alpn_list({"h3"})), std::nullopt);
  EXPECT_EQ(chosen(alpn_list({"http/1.0", "spdy/3.1"})), std::nullopt);
  EXPECT_EQ(chosen({}), std::nullopt);
}

TEST(SelectAlpn, MalformedListsAreRefusedNotOverread) {
  EXPECT_EQ(chosen({0x08, 'h', 't', 't', 'p'}), std::nullopt);  // length past the end
  EXPECT_EQ(chosen({0x00, 0x02, 'h', '2'}), std::nullopt);      // empty protocol name
  auto truncated = alpn_list({"h2", "http/1.1"});
  truncated.pop_back();
  EXPECT_EQ(chosen(truncated), std::nullopt);
  // A name that merely starts like a known one is not that protocol.
  EXPECT_EQ(chosen(alpn_list({"h2c", "http/1.10"})), std::nullopt);
}

}  // namespace
}  // namespace tessera::http
