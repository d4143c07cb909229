// The JSON text columns: what the backends store and read back, and the per-thread memo of parses
// on the read side (a hit must give exactly what parsing gives).
#include "server/store/json_columns.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::store {
namespace {

std::vector<std::string> strings(int seed) {
  return {"scope:" + std::to_string(seed), "read:" + std::to_string(seed * 7)};
}

TEST(JsonColumns, StringsRoundTrip) {
  const std::vector<std::string> scopes{"deploy:applications", "read:deployments"};
  EXPECT_EQ(strings_to_json(scopes), R"(["deploy:applications","read:deployments"])");
  EXPECT_EQ(strings_from_json(strings_to_json(scopes)), scopes);
  EXPECT_EQ(strings_from_json("[]"), std::vector<std::string>{});
}

TEST(JsonColumns, ClaimsRoundTripInOrder) {
  const std::vector<domain::CustomClaim> claims{{"environment", "production_us"}, {"a", "b"}};
  EXPECT_EQ(claims_to_json(claims), R"([["environment","production_us"],["a","b"]])");
  EXPECT_EQ(claims_from_json(claims_to_json(claims)), claims);
}

// More distinct texts than the memo has slots, read in turns: every slot gets reused, and each
// read must still give its own text's value, never a neighbour's.
TEST(JsonColumns, RepeatedAndCollidingTextsParseToTheirOwnValues) {
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i)
    texts.push_back(strings_to_json(strings(i)));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(strings_from_json(texts[i]), strings(i)) << "round " << round << ", text " << i;
    for (int i = 99; i >= 0; --i)
      ASSERT_EQ(strings_from_json(texts[i]), strings(i)) << "round " << round << ", text " << i;
  }
}

TEST(JsonColumns, TheSameTextTwiceGivesEqualIndependentValues) {
  const std::string text = R"(["a","b"])";
  auto first = strings_from_json(text);
  first.push_back("changed by the caller");
  EXPECT_EQ(strings_from_json(text), (std::vector<std::string>{"a", "b"}));
}

TEST(JsonColumns, ADamagedTextThrowsEveryTimeAndLeavesOtherTextsAlone) {
  const std::string good = R"(["x"])";
  ASSERT_EQ(strings_from_json(good), std::vector<std::string>{"x"});
  for (int i = 0; i < 2; ++i) {
    EXPECT_ANY_THROW(strings_from_json(R"(["x")"));
    EXPECT_ANY_THROW(strings_from_json(R"({"x":1})"));
    EXPECT_ANY_THROW(claims_from_json(R"([["only a key"]])"));
  }
  EXPECT_EQ(strings_from_json(good), std::vector<std::string>{"x"});
}

TEST(JsonColumns, LongTextsParseWithoutTheMemo) {
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i)
    many.push_back("scope:number:" + std::to_string(i));
  const std::string text = strings_to_json(many);
  ASSERT_GT(text.size(), 512u);
  EXPECT_EQ(strings_from_json(text), many);
  EXPECT_EQ(strings_from_json(text), many);
}

}  // namespace
}  // namespace tessera::store
