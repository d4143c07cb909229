// Timestamps as the server stores and shows them: microseconds since the Unix epoch, UTC, and the
// contract's RFC 3339 text form ("2025-04-16T06:56:05.360Z").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::domain {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The current wall-clock time, truncated to microseconds.
Timestamp now();

std::int64_t to_unix_micros(Timestamp time);
Timestamp from_unix_micros(std::int64_t micros);

// UTC with fractional seconds: 3 digits when the time is a whole millisecond, 6 otherwise
// (".000Z", ".360Z", ".367190Z"), the way protobuf's JSON mapping prints Timestamps.
// Years outside 0001..9999 cannot be written in RFC 3339; they are clamped to that range.
std::string format_rfc3339(Timestamp time);

// Strict RFC 3339 date-time (section 5.6): "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)",
// with a real calendar date, 0 <= hour < 24, minute and second < 60 (leap seconds are refused:
// the time type cannot hold them), 1 to 9 fraction digits (truncated to microseconds), and "T"/"Z"
// in either case. Nothing before or after the date-time is accepted.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace tessera::domain
