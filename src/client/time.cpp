// RFC 3339 timestamps, without std::chrono::parse (not in GCC 12's library).
#include <charconv>
#include <cstdio>

#include "tessera/client/types.hpp"

namespace tessera::client {
namespace {

using std::chrono::nanoseconds;

// Reads exactly `width` digits at `pos` into `out`; false on anything else.
bool digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + width, out);
  return true;
}

bool expect(std::string_view text, std::size_t pos, std::string_view any_of) {
  return pos < text.size() && any_of.find(text[pos]) != std::string_view::npos;
}

// ".123456789" at `pos`: advances pos past the digits and returns them as nanoseconds.
std::optional<nanoseconds> fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '.') return nanoseconds(0);
  ++pos;
  std::int64_t value = 0;
  int count = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++count) {
    if (count < 9) value = value * 10 + (text[pos] - '0');
  }
  if (count == 0) return std::nullopt;
  for (int i = count; i < 9; ++i)
    value *= 10;
  return nanoseconds(value);
}

// "Z", "+HH:MM" or "-HH:MM" at `pos`, as the offset to subtract; must end the text.
std::optional<std::chrono::minutes> offset(std::string_view text, std::size_t pos) {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    return std::chrono::minutes(0);
  }
  int hours = 0;
  int minutes = 0;
  if (pos + 6 != text.size() || !expect(text, pos, "+-") || !digits(text, pos + 1, 2, hours) ||
      !expect(text, pos + 3, ":") || !digits(text, pos + 4, 2, minutes) || hours > 23 ||
      minutes > 59) {
    return std::nullopt;
  }
  const std::chrono::minutes value(hours * 60 + minutes);
  return text[pos] == '-' ? -value : value;
}

}  // namespace

std::string to_rfc3339(Timestamp time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{std::chrono::duration_cast<nanoseconds>(time - day)};
  char buffer[48];
  const int length = std::snprintf(
      buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%09lld", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()),
      static_cast<long long>(clock.subseconds().count()));
  std::string out(buffer, static_cast<std::size_t>(length));
  // Milliseconds at least, like the server; no trailing zeros beyond that.
  while (out.size() > 23 && out.back() == '0')
    out.pop_back();
  return out + "Z";
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || !expect(text, 4, "-") || !digits(text, 5, 2, month) ||
      !expect(text, 7, "-") || !digits(text, 8, 2, day) || !expect(text, 10, "Tt ") ||
      !digits(text, 11, 2, hour) || !expect(text, 13, ":") || !digits(text, 14, 2, minute) ||
      !expect(text, 16, ":") || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // A leap second (":60") is read as the last second of its minute.
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t pos = 19;
  const auto sub = fraction(text, pos);
  const auto shift = sub ? offset(text, pos) : std::nullopt;
  if (!shift) return std::nullopt;
  const auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                     std::chrono::minutes(minute) + std::chrono::seconds(std::min(second, 59));
  return std::chrono::time_point_cast<Timestamp::duration>(local + *sub - *shift);
}

}  // namespace tessera::client
