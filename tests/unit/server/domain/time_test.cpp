#include "server/domain/time.hpp"

#include <gtest/gtest.h>

namespace tessera::domain {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

Timestamp at(int y, unsigned m, unsigned d, int hh, int mm, int ss, microseconds fraction = 0us) {
  return Timestamp{sys_days{year{y} / month{m} / day{d}}} + hours(hh) + minutes(mm) + seconds(ss) +
         fraction;
}

TEST(FormatRfc3339, MillisecondsWhenWhole) {
  EXPECT_EQ(format_rfc3339(at(2025, 4, 16, 6, 56, 5, 360000us)), "2025-04-16T06:56:05.360Z");
}

TEST(FormatRfc3339, MicrosecondsOtherwise) {
  EXPECT_EQ(format_rfc3339(at(2025, 4, 16, 6, 56, 5, 367190us)), "2025-04-16T06:56:05.367190Z");
  EXPECT_EQ(format_rfc3339(at(2025, 4, 16, 6, 56, 5, 1us)), "2025-04-16T06:56:05.000001Z");
}

TEST(FormatRfc3339, AlwaysHasAFraction) {
  EXPECT_EQ(format_rfc3339(at(2024, 1, 1, 0, 0, 0)), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(Timestamp{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, BeforeTheUnixEpoch) {
  EXPECT_EQ(format_rfc3339(at(1969, 12, 31, 23, 59, 59, 999999us)), "1969-12-31T23:59:59.999999Z");
}

TEST(FormatRfc3339, ClampsToFourDigitYears) {
  EXPECT_EQ(format_rfc3339(at(12000, 1, 1, 0, 0, 0)), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(at(-5, 1, 1, 0, 0, 0)), "0001-01-01T00:00:00.000Z");
}

TEST(ParseRfc3339, RoundTripsFormattedTimes) {
  for (const Timestamp time :
       {at(2025, 4, 16, 6, 56, 5, 360000us), at(2025, 4, 16, 6, 56, 5, 367190us),
        at(2000, 2, 29, 23, 59, 59, 999999us), Timestamp{}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(time)), time);
  }
  const Timestamp current = now();
  EXPECT_EQ(parse_rfc3339(format_rfc3339(current)), current);
}

TEST(ParseRfc3339, AcceptsRfc3339Variants) {
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05Z"), at(2025, 4, 16, 6, 56, 5));
  EXPECT_EQ(parse_rfc3339("2025-04-16t06:56:05.5z"), at(2025, 4, 16, 6, 56, 5, 500000us));
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05.123456789Z"), at(2025, 4, 16, 6, 56, 5, 123456us));
  EXPECT_EQ(parse_rfc3339("2025-04-16T08:56:05+02:00"), at(2025, 4, 16, 6, 56, 5));
  EXPECT_EQ(parse_rfc3339("2025-04-15T23:26:05-07:30"), at(2025, 4, 16, 6, 56, 5));
  EXPECT_EQ(parse_rfc3339("2025-04-16T06:56:05-00:00"), at(2025, 4, 16, 6, 56, 5));
}

TEST(ParseRfc3339, RefusesAnythingElse) {
  for (const char* text : {
           "",
           "2025-04-16",
           "2025-04-16T06:56:05",              // no offset
           "2025-04-16 06:56:05Z",             // space separator
           "2025-04-16T06:56Z",                // no seconds
           "2025-4-16T06:56:05Z",              // short month
           "25-04-16T06:56:05Z",               // short year
           "2025-13-01T00:00:00Z",             // month 13
           "2025-00-01T00:00:00Z",             // month 0
           "2025-02-29T00:00:00Z",             // not a leap year
           "2025-04-31T00:00:00Z",             // April has 30 days
           "0000-01-01T00:00:00Z",             // year 0
           "2025-04-16T24:00:00Z",             // hour 24
           "2025-04-16T06:60:00Z",             // minute 60
           "2025-04-16T06:56:60Z",             // leap second
           "2025-04-16T06:56:05.Z",            // empty fraction
           "2025-04-16T06:56:05.1234567890Z",  // 10 fraction digits
           "2025-04-16T06:56:05+0200",         // offset without colon
           "2025-04-16T06:56:05+24:00",        // offset hour 24
           "2025-04-16T06:56:05+02:60",        // offset minute 60
           "2025-04-16T06:56:05ZZ",            // trailing garbage
           " 2025-04-16T06:56:05Z",            // leading space
           "2025-04-16T06:56:05Z ",            // trailing space
           "+2025-04-16T06:56:05Z",            // sign
           "2025-04-16T06:56:05,5Z",           // comma fraction
           "２025-04-16T06:56:05Z",            // non-ASCII digit
       }) {
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
  }
}

TEST(UnixMicros, RoundTrips) {
  const Timestamp time = at(2025, 4, 16, 6, 56, 5, 367190us);
  EXPECT_EQ(to_unix_micros(time), 1744786565367190);
  EXPECT_EQ(from_unix_micros(to_unix_micros(time)), time);
}

}  // namespace
}  // namespace tessera::domain
