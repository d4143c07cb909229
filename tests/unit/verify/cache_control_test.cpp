#include "verify/cache_control.hpp"

#include <gtest/gtest.h>

namespace tessera::verify::detail {
namespace {

using std::chrono::seconds;

TEST(CacheControl, ReadsMaxAge) {
  EXPECT_EQ(parse_max_age("max-age=300"), seconds(300));
  EXPECT_EQ(parse_max_age(" public, max-age=60 , must-revalidate"), seconds(60));
  EXPECT_EQ(parse_max_age("MAX-AGE=7"), seconds(7));
  EXPECT_EQ(parse_max_age("max-age=\"42\""), seconds(42));
  EXPECT_EQ(parse_max_age("max-age=0"), seconds(0));
  EXPECT_EQ(parse_max_age("max-age=5, max-age=9"), seconds(5));  // the first one counts
}

TEST(CacheControl, NoStoreAndNoCacheMeanZero) {
  EXPECT_EQ(parse_max_age("no-store"), seconds(0));
  EXPECT_EQ(parse_max_age("max-age=600, no-cache"), seconds(0));
}

TEST(CacheControl, IgnoresWhatItCannotRead) {
  EXPECT_EQ(parse_max_age(""), std::nullopt);
  EXPECT_EQ(parse_max_age("public"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age="), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=-5"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=1e3"), std::nullopt);
  EXPECT_EQ(parse_max_age("s-maxage=100"), std::nullopt);
  EXPECT_EQ(parse_max_age("xmax-age=100"), std::nullopt);
}

TEST(CacheControl, SaturatesHugeValues) {
  EXPECT_EQ(parse_max_age("max-age=99999999999999999999999999"), seconds(std::int64_t{1} << 31));
}

}  // namespace
}  // namespace tessera::verify::detail
