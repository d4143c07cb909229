#include <gtest/gtest.h>

#include "tessera/client/types.hpp"

namespace tessera::client {
namespace {

using namespace std::chrono;

TEST(Rfc3339, ParsesTheServersFormats) {
  const auto base = sys_days(2025y / April / 16) + 6h + 56min + 5s;
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05.360Z"), base + 360ms);
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05.367190Z"), base + 367190us);
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05.367190455Z"), base + 367190455ns);
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05Z"), base);
  EXPECT_EQ(parse_rfc3339("2025-04-16t06:56:05z"), base);
  EXPECT_EQ(parse_rfc3339("2025-04-16T08:56:05+02:00"), base);
  EXPECT_EQ(parse_rfc3339("2025-04-16T04:26:05-02:30"), base);
}

TEST(Rfc3339, RefusesWhatIsNotATime) {
  for (const char* text : {"", "2025-04-16", "2025-04-16T06:56:05", "2025-02-30T00:00:00Z",
                           "2025-04-16T24:00:00Z", "2025-04-16T06:56:05.Z", "2025-04-16T06:56:05ZZ",
                           "2025-04-16T06:56:05+2:00", "yesterday", "2025-04-16T06:56:05+24:00"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

TEST(Rfc3339, FormatsWithAtLeastMilliseconds) {
  const auto base = sys_days(2025y / April / 16) + 6h + 56min + 5s;
  EXPECT_EQ(to_rfc3339(base), "2025-04-16T06:56:05.000Z");
  EXPECT_EQ(to_rfc3339(base + 360ms), "2025-04-16T06:56:05.360Z");
  EXPECT_EQ(to_rfc3339(base + 367190us), "2025-04-16T06:56:05.36719Z");
  const auto now = time_point_cast<microseconds>(system_clock::now());
  EXPECT_EQ(parse_rfc3339(to_rfc3339(now)), now);
}

}  // namespace
}  // namespace tessera::client
