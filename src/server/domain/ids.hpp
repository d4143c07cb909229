// Identifiers: "<prefix>_<decimal>" where the number is a time-ordered 63-bit integer. This file is
// the one place that knows the prefixes and the bit layout (api-contract.md section 1).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/domain/time.hpp"

namespace tessera::domain {

enum class IdKind {
  organization,        // org_
  api_client,          // m2morg_: API client of an organization
  secret,              // sks_
  environment_client,  // skc_: admin client that calls the management API
  signing_key,         // snk_: also the JWT/JWKS "kid"
  token,               // tkn_: access token "jti"
  audit_event,         // aud_: an audit log entry
};

// "org_", "m2morg_", ... including the underscore.
std::string_view id_prefix(IdKind kind);

inline constexpr std::size_t kMaxIdLength = 32;
inline constexpr std::uint64_t kMaxIdValue = (std::uint64_t{1} << 63) - 1;

std::string format_id(IdKind kind, std::uint64_t value);

// The numeric part of an id of the given kind: the exact prefix, then 1 or more decimal digits
// without a leading zero, at most kMaxIdLength characters in all, value <= kMaxIdValue.
std::optional<std::uint64_t> parse_id(IdKind kind, std::string_view text);

struct ParsedId {
  IdKind kind;
  std::uint64_t value;
};
// As parse_id, for an id of any kind.
std::optional<ParsedId> parse_any_id(std::string_view text);

// The Sonyflake-like layout, high bits to low: 39 bits of 10 ms ticks since kIdEpoch, an 8-bit
// sequence number within the tick, a 16-bit node id.
inline constexpr int kIdNodeBits = 16;
inline constexpr int kIdSequenceBits = 8;
inline constexpr int kIdTickBits = 63 - kIdSequenceBits - kIdNodeBits;
inline constexpr std::chrono::milliseconds kIdTick{10};
inline constexpr Timestamp kIdEpoch{std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}};

struct IdParts {
  std::uint64_t tick;      // 10 ms ticks since kIdEpoch
  std::uint32_t sequence;  // < 2^kIdSequenceBits
  std::uint32_t node;      // < 2^kIdNodeBits
};
std::uint64_t compose_id(const IdParts& parts);
IdParts decompose_id(std::uint64_t value);
// The start of the tick an id was minted in.
Timestamp id_time(std::uint64_t value);

// Mints unique, increasing ids; thread-safe and lock-free (one compare-and-swap per id).
//
// At most 256 ids per 10 ms tick and node: when a tick's sequence is used up, next() waits for
// the clock to reach the next tick, so ids never run ahead of real time and a restarted process
// cannot re-mint an id it handed out before. If the clock steps backwards, ids keep increasing
// from the highest tick used (the high-water mark); once that tick is used up, the next tick is
// taken without waiting, because waiting for a clock that stepped back by hours would stall the
// server.
class IdGenerator {
 public:
  using Clock = std::function<Timestamp()>;

  // A node id distinguishes processes that share a database (issue 7); single-node setups use 0.
  explicit IdGenerator(std::uint16_t node_id = 0, Clock clock = {});

  std::uint64_t next_value();
  std::string next(IdKind kind) { return format_id(kind, next_value()); }

  std::uint16_t node_id() const { return node_id_; }

 private:
  std::uint64_t current_tick() const;
  void wait_for_tick_after(std::uint64_t tick) const;

  std::uint16_t node_id_;
  Clock clock_;
  // (tick << kIdSequenceBits) | sequence of the last id minted.
  std::atomic<std::uint64_t> last_{0};
};

}  // namespace tessera::domain
