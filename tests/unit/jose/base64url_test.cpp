#include "tessera/jose/base64url.hpp"

#include <gtest/gtest.h>

namespace tessera::jose {
namespace {

TEST(Base64Url, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64Url, UsesUrlAlphabet) {
  EXPECT_EQ(base64url_encode(std::string_view("\xfb\xff\xbf")), "-_-_");
}

TEST(Base64Url, RoundTripsEveryByteValueAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    const auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Url, RejectsPaddingWhitespaceAndStandardAlphabet) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zm8=").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v ").has_value());
  EXPECT_FALSE(base64url_decode("Zm\n9v").has_value());
  EXPECT_FALSE(base64url_decode("+/+/").has_value());
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\09v", 5)).has_value());
}

TEST(Base64Url, RejectsImpossibleLength) {
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  // "Zg" is the canonical encoding of "f"; "Zh" decodes to the same byte with a stray bit set.
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
}

}  // namespace
}  // namespace tessera::jose
