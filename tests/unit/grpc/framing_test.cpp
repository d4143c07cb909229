#include "server/grpc/framing.hpp"

#include <gtest/gtest.h>

namespace tessera::grpc {
namespace {

std::string prefix(int flag, std::uint32_t length) {
  std::string out(1, static_cast<char>(flag));
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((length >> shift) & 0xFF));
  return out;
}

TEST(GrpcFraming, FramesAndUnframesOneMessage) {
  const std::string framed = frame_message("hello");
  EXPECT_EQ(framed, prefix(0, 5) + "hello");
  auto message = unary_message(framed, "", 64);
  ASSERT_TRUE(message);
  EXPECT_EQ(*message, "hello");
  // An empty message (google.protobuf.Empty) is five zero bytes.
  EXPECT_EQ(frame_message(""), std::string(5, '\0'));
  EXPECT_EQ(*unary_message(std::string(5, '\0'), "", 64), "");
}

TEST(GrpcFraming, LengthIsBigEndian) {
  const std::string body(300, 'x');
  EXPECT_EQ(frame_message(body).substr(0, 5), prefix(0, 300));
  EXPECT_EQ(frame_message(body).substr(0, 5), std::string("\0\0\0\x01\x2c", 5));
}

TEST(GrpcFraming, RefusesMissingTruncatedAndExtraMessages) {
  EXPECT_EQ(unary_message("", "", 64).error().code, StatusCode::internal);
  EXPECT_EQ(unary_message(prefix(0, 5).substr(0, 3), "", 64).error().code, StatusCode::internal);
  EXPECT_EQ(unary_message(prefix(0, 5) + "hell", "", 64).error().code, StatusCode::internal);
  EXPECT_EQ(unary_message(prefix(0, 2) + "hi" + prefix(0, 0), "", 64).error().code,
            StatusCode::internal);
}

TEST(GrpcFraming, RefusesMessagesAboveTheLimitByTheirDeclaredLength) {
  EXPECT_TRUE(unary_message(prefix(0, 64) + std::string(64, 'x'), "", 64));
  // Declared too large: refused before (and whether or not) the bytes arrived.
  EXPECT_EQ(unary_message(prefix(0, 65) + std::string(65, 'x'), "", 64).error().code,
            StatusCode::resource_exhausted);
  EXPECT_EQ(unary_message(prefix(0, 0xFFFFFFFF), "", 64).error().code,
            StatusCode::resource_exhausted);
}

TEST(GrpcFraming, RefusesCompressedMessages) {
  const std::string compressed = prefix(1, 2) + "hi";
  EXPECT_EQ(unary_message(compressed, "gzip", 64).error().code, StatusCode::unimplemented);
  EXPECT_EQ(unary_message(compressed, "", 64).error().code, StatusCode::internal);
  EXPECT_EQ(unary_message(compressed, "identity", 64).error().code, StatusCode::internal);
  EXPECT_EQ(unary_message(prefix(2, 2) + "hi", "", 64).error().code, StatusCode::internal);
  // The encoding header alone does not matter when the message is not compressed.
  EXPECT_TRUE(unary_message(prefix(0, 2) + "hi", "gzip", 64));
}

TEST(GrpcStatusMessage, PercentEncodesAllButPrintableAscii) {
  EXPECT_EQ(percent_encode_message("client not found"), "client not found");
  EXPECT_EQ(percent_encode_message("100%"), "100%25");
  EXPECT_EQ(percent_encode_message("a\r\nb"), "a%0D%0Ab");
  EXPECT_EQ(percent_encode_message("caf\xC3\xA9"), "caf%C3%A9");
}

}  // namespace
}  // namespace tessera::grpc
