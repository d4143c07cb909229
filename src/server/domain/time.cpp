#include "server/domain/time.hpp"

#include <algorithm>
#include <cstdio>

namespace tessera::domain {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Years RFC 3339 can express (four digits, and year 0 is not in the proleptic calendar it uses).
constexpr std::chrono::year kFirstYear{1};
constexpr std::chrono::year kLastYear{9999};

// A cursor over the text being parsed; every accessor fails softly at the end of input.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }

  std::optional<int> digits(std::size_t count) {
    if (text_.size() - pos_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }

  bool literal(char expected) { return literal_any(expected, expected); }

  bool literal_any(char a, char b) {
    if (at_end() || (text_[pos_] != a && text_[pos_] != b)) return false;
    ++pos_;
    return true;
  }

  std::optional<char> peek() const {
    if (at_end()) return std::nullopt;
    return text_[pos_];
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::chrono::sys_days> parse_date(Scanner& in) {
  const auto y = in.digits(4);
  if (!y || !in.literal('-')) return std::nullopt;
  const auto m = in.digits(2);
  if (!m || !in.literal('-')) return std::nullopt;
  const auto d = in.digits(2);
  if (!d) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month(*m),
                                         std::chrono::day(*d)};
  if (!date.ok() || date.year() < kFirstYear) return std::nullopt;
  return std::chrono::sys_days{date};
}

std::optional<microseconds> parse_time_of_day(Scanner& in) {
  const auto h = in.digits(2);
  if (!h || *h > 23 || !in.literal(':')) return std::nullopt;
  const auto m = in.digits(2);
  if (!m || *m > 59 || !in.literal(':')) return std::nullopt;
  const auto s = in.digits(2);
  if (!s || *s > 59) return std::nullopt;
  return hours(*h) + minutes(*m) + seconds(*s);
}

// ".d{1,9}"; digits beyond the sixth are dropped (truncation, like the storage precision).
std::optional<microseconds> parse_fraction(Scanner& in) {
  if (!in.literal('.')) return microseconds(0);
  std::int64_t micros = 0;
  int count = 0;
  while (const auto digit = in.digits(1)) {
    if (++count > 9) return std::nullopt;
    if (count <= 6) micros = micros * 10 + *digit;
  }
  if (count == 0) return std::nullopt;
  for (int i = count; i < 6; ++i) {
    micros *= 10;
  }
  return microseconds(micros);
}

// The offset to subtract from the local time to get UTC.
std::optional<minutes> parse_offset(Scanner& in) {
  if (in.literal_any('Z', 'z')) return minutes(0);
  const auto sign = in.peek();
  if (!sign || (*sign != '+' && *sign != '-')) return std::nullopt;
  in.literal(*sign);
  const auto h = in.digits(2);
  if (!h || *h > 23 || !in.literal(':')) return std::nullopt;
  const auto m = in.digits(2);
  if (!m || *m > 59) return std::nullopt;
  const minutes offset = hours(*h) + minutes(*m);
  return *sign == '+' ? offset : -offset;
}

}  // namespace

Timestamp now() {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

std::int64_t to_unix_micros(Timestamp time) {
  return time.time_since_epoch().count();
}

Timestamp from_unix_micros(std::int64_t micros) {
  return Timestamp(microseconds(micros));
}

std::string format_rfc3339(Timestamp time) {
  const Timestamp first{std::chrono::sys_days{kFirstYear / 1 / 1}};
  const Timestamp last{std::chrono::sys_days{(kLastYear + std::chrono::years(1)) / 1 / 1} -
                       microseconds(1)};
  time = std::clamp(time, first, last);

  const auto day = std::chrono::floor<days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  const auto micros = clock.subseconds().count();

  char buffer[40];
  const int date_len = std::snprintf(
      buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()));
  std::string out(buffer, static_cast<std::size_t>(date_len));
  if (micros % 1000 == 0) {
    std::snprintf(buffer, sizeof buffer, ".%03dZ", static_cast<int>(micros / 1000));
  } else {
    std::snprintf(buffer, sizeof buffer, ".%06dZ", static_cast<int>(micros));
  }
  out += buffer;
  return out;
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  Scanner in(text);
  const auto date = parse_date(in);
  if (!date || !in.literal_any('T', 't')) return std::nullopt;
  const auto time_of_day = parse_time_of_day(in);
  if (!time_of_day) return std::nullopt;
  const auto fraction = parse_fraction(in);
  if (!fraction) return std::nullopt;
  const auto offset = parse_offset(in);
  if (!offset || !in.at_end()) return std::nullopt;
  return Timestamp{*date} + *time_of_day + *fraction - *offset;
}

}  // namespace tessera::domain
