#include "server/domain/ids.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <thread>

namespace tessera::domain {
namespace {

struct PrefixEntry {
  IdKind kind;
  std::string_view prefix;
};

constexpr std::array<PrefixEntry, 7> kPrefixes{{
    {IdKind::organization, "org_"},
    {IdKind::api_client, "m2morg_"},
    {IdKind::secret, "sks_"},
    {IdKind::environment_client, "skc_"},
    {IdKind::signing_key, "snk_"},
    {IdKind::token, "tkn_"},
    {IdKind::audit_event, "aud_"},
}};

constexpr std::uint64_t kSequenceMask = (std::uint64_t{1} << kIdSequenceBits) - 1;
constexpr std::uint64_t kNodeMask = (std::uint64_t{1} << kIdNodeBits) - 1;
constexpr std::uint64_t kTickMask = (std::uint64_t{1} << kIdTickBits) - 1;

// Decimal digits only: from_chars on an unsigned type takes no sign, and the end check below
// refuses anything after the digits.
std::optional<std::uint64_t> parse_digits(std::string_view digits) {
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (value > kMaxIdValue) return std::nullopt;
  return value;
}

Timestamp tick_start(std::uint64_t tick) {
  return kIdEpoch + static_cast<std::int64_t>(tick) * Timestamp::duration(kIdTick);
}

}  // namespace

std::string_view id_prefix(IdKind kind) {
  for (const auto& entry : kPrefixes) {
    if (entry.kind == kind) return entry.prefix;
  }
  return {};
}

std::string format_id(IdKind kind, std::uint64_t value) {
  std::string out(id_prefix(kind));
  out += std::to_string(value);
  return out;
}

std::optional<std::uint64_t> parse_id(IdKind kind, std::string_view text) {
  const std::string_view prefix = id_prefix(kind);
  if (text.size() > kMaxIdLength || !text.starts_with(prefix)) return std::nullopt;
  return parse_digits(text.substr(prefix.size()));
}

std::optional<ParsedId> parse_any_id(std::string_view text) {
  for (const auto& entry : kPrefixes) {
    if (!text.starts_with(entry.prefix)) continue;
    if (const auto value = parse_id(entry.kind, text)) return ParsedId{entry.kind, *value};
    return std::nullopt;
  }
  return std::nullopt;
}

std::uint64_t compose_id(const IdParts& parts) {
  return ((parts.tick & kTickMask) << (kIdSequenceBits + kIdNodeBits)) |
         ((parts.sequence & kSequenceMask) << kIdNodeBits) | (parts.node & kNodeMask);
}

IdParts decompose_id(std::uint64_t value) {
  return IdParts{
      .tick = (value >> (kIdSequenceBits + kIdNodeBits)) & kTickMask,
      .sequence = static_cast<std::uint32_t>((value >> kIdNodeBits) & kSequenceMask),
      .node = static_cast<std::uint32_t>(value & kNodeMask),
  };
}

Timestamp id_time(std::uint64_t value) {
  return tick_start(decompose_id(value).tick);
}

IdGenerator::IdGenerator(std::uint16_t node_id, Clock clock)
    : node_id_(node_id), clock_(clock ? std::move(clock) : Clock(&domain::now)) {}

std::uint64_t IdGenerator::current_tick() const {
  const auto since_epoch = clock_() - kIdEpoch;
  if (since_epoch.count() < 0) return 0;
  return std::min<std::uint64_t>(static_cast<std::uint64_t>(since_epoch / kIdTick), kTickMask);
}

void IdGenerator::wait_for_tick_after(std::uint64_t tick) const {
  while (current_tick() <= tick) {
    const auto remaining = tick_start(tick + 1) - clock_();
    if (remaining.count() > 0) std::this_thread::sleep_for(remaining);
  }
}

std::uint64_t IdGenerator::next_value() {
  std::uint64_t last = last_.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t now_tick = current_tick();
    const std::uint64_t last_tick = last >> kIdSequenceBits;
    std::uint64_t next;
    if (now_tick > last_tick) {
      next = now_tick << kIdSequenceBits;
    } else if ((last & kSequenceMask) != kSequenceMask) {
      next = last + 1;
    } else if (now_tick == last_tick) {
      wait_for_tick_after(last_tick);
      last = last_.load(std::memory_order_relaxed);
      continue;
    } else {
      next = last + 1;  // the clock is behind the high-water mark: borrow the next tick
    }
    if (last_.compare_exchange_weak(last, next, std::memory_order_relaxed)) {
      return compose_id(IdParts{.tick = next >> kIdSequenceBits,
                                .sequence = static_cast<std::uint32_t>(next & kSequenceMask),
                                .node = node_id_});
    }
  }
}

}  // namespace tessera::domain
