#include "server/http/form.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

TEST(Form, ParsesPairsAndDecodesPercentAndPlus) {
  auto form = parse_form("grant_type=client_credentials&scope=read%3Adeployments+deploy%3Aapps");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("grant_type"), "client_credentials");
  EXPECT_EQ(form->get("scope"), "read:deployments deploy:apps");
  EXPECT_FALSE(form->get("client_id").has_value());
}

TEST(Form, ValueMayBeEmptyOrMissing) {
  auto form = parse_form("a=&b");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("a"), "");
  EXPECT_EQ(form->get("b"), "");
}

TEST(Form, IgnoresEmptyPairs) {
  auto form = parse_form("&a=1&&b=2&");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->size(), 2u);
}

TEST(Form, RejectsDuplicateParameters) {
  auto form = parse_form("client_id=a&client_id=b");
  ASSERT_FALSE(form);
  EXPECT_EQ(form.error(), FormError::duplicate);
  // A duplicate spelled with an escape is still a duplicate.
  EXPECT_FALSE(parse_form("scope=a&sc%6Fpe=b"));
}

TEST(Form, RejectsMalformedEscapes) {
  for (const char* text : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=b%"}) {
    auto form = parse_form(text);
    ASSERT_FALSE(form) << text;
    EXPECT_EQ(form.error(), FormError::bad_encoding) << text;
  }
}

TEST(Form, RejectsDecodedBytesThatAreNotUtf8) {
  EXPECT_FALSE(parse_form("a=%FF"));
  EXPECT_FALSE(parse_form("a=%C0%AF"));       // overlong '/'
  EXPECT_FALSE(parse_form("a=%ED%A0%80"));    // surrogate
  EXPECT_TRUE(parse_form("a=%C3%A9"));        // é
  EXPECT_TRUE(parse_form("a=%F0%9F%94%91"));  // 🔑
}

TEST(Form, BoundsTheNumberOfParameters) {
  std::string text;
  for (int i = 0; i < 33; ++i)
    text += "p" + std::to_string(i) + "=x&";
  auto form = parse_form(text, 32);
  ASSERT_FALSE(form);
  EXPECT_EQ(form.error(), FormError::too_many);
}

TEST(Form, KeepsNulBytesAsDataNotTerminators) {
  auto form = parse_form("a=x%00y");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("a")->size(), 3u);
}

}  // namespace
}  // namespace tessera::http
