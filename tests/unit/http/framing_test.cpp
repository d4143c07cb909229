#include "server/http/framing.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

bhttp::request_header<> header_with(
    std::initializer_list<std::pair<const char*, const char*>> fields) {
  bhttp::request_header<> header;
  header.method(bhttp::verb::post);
  header.target("/oauth/token");
  for (const auto& [name, value] : fields)
    header.insert(name, value);
  return header;
}

TEST(Framing, AcceptsOrdinaryRequests) {
  EXPECT_FALSE(framing_violation(header_with({{"Content-Length", "10"}}), 64));
  EXPECT_FALSE(framing_violation(header_with({{"Transfer-Encoding", "chunked"}}), 64));
  EXPECT_FALSE(framing_violation(header_with({{"Transfer-Encoding", "Chunked"}}), 64));
}

TEST(Framing, RejectsBothLengthMechanisms) {
  EXPECT_TRUE(framing_violation(
      header_with({{"Content-Length", "10"}, {"Transfer-Encoding", "chunked"}}), 64));
}

TEST(Framing, RejectsDuplicateContentLengthEvenWhenEqual) {
  EXPECT_TRUE(
      framing_violation(header_with({{"Content-Length", "10"}, {"Content-Length", "10"}}), 64));
  // The same duplicate folded into one field.
  EXPECT_TRUE(framing_violation(header_with({{"Content-Length", "10, 10"}}), 64));
  EXPECT_TRUE(framing_violation(header_with({{"Content-Length", "10,4"}}), 64));
}

TEST(Framing, RejectsObfuscatedTransferEncoding) {
  for (const char* te :
       {"chunked, identity", "xchunked", "identity", "chunked;x=1", "gzip, chunked"}) {
    EXPECT_TRUE(framing_violation(header_with({{"Transfer-Encoding", te}}), 64)) << te;
  }
  EXPECT_TRUE(framing_violation(
      header_with({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}), 64));
}

TEST(Framing, BoundsTheNumberOfFields) {
  EXPECT_TRUE(framing_violation(header_with({{"A", "1"}, {"B", "2"}, {"C", "3"}}), 2));
  EXPECT_FALSE(framing_violation(header_with({{"A", "1"}, {"B", "2"}}), 2));
}

}  // namespace
}  // namespace tessera::http
