#include "server/domain/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tessera::domain {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand; each read can also advance it.
class FakeClock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  IdGenerator::Clock clock() {
    return [this] {
      std::lock_guard lock(mutex_);
      const Timestamp now = now_;
      now_ += step_;
      return now;
    };
  }
  void set(Timestamp now) {
    std::lock_guard lock(mutex_);
    now_ = now;
  }
  void set_step(Timestamp::duration step) {
    std::lock_guard lock(mutex_);
    step_ = step;
  }

 private:
  std::mutex mutex_;
  Timestamp now_;
  Timestamp::duration step_{0};
};

const Timestamp kSomeTime = kIdEpoch + 1000 * 24h + 123456789us;

TEST(IdPrefixes, MatchTheContract) {
  EXPECT_EQ(id_prefix(IdKind::organization), "org_");
  EXPECT_EQ(id_prefix(IdKind::api_client), "m2morg_");
  EXPECT_EQ(id_prefix(IdKind::secret), "sks_");
  EXPECT_EQ(id_prefix(IdKind::environment_client), "skc_");
  EXPECT_EQ(id_prefix(IdKind::signing_key), "snk_");
  EXPECT_EQ(id_prefix(IdKind::token), "tkn_");
  EXPECT_EQ(id_prefix(IdKind::audit_event), "aud_");
}

TEST(IdLayout, ComposesTickSequenceNode) {
  const IdParts parts{.tick = 12345678, .sequence = 200, .node = 65000};
  const std::uint64_t value = compose_id(parts);
  EXPECT_EQ(value, (std::uint64_t{12345678} << 24) | (std::uint64_t{200} << 16) | 65000);
  const IdParts back = decompose_id(value);
  EXPECT_EQ(back.tick, parts.tick);
  EXPECT_EQ(back.sequence, parts.sequence);
  EXPECT_EQ(back.node, parts.node);
}

TEST(IdLayout, LargestIdFits63Bits) {
  const std::uint64_t value =
      compose_id({.tick = (std::uint64_t{1} << kIdTickBits) - 1, .sequence = 255, .node = 65535});
  EXPECT_EQ(value, kMaxIdValue);
}

TEST(IdLayout, TimeIsTheStartOfTheTick) {
  FakeClock clock(kSomeTime);
  IdGenerator generator(7, clock.clock());
  const std::uint64_t value = generator.next_value();
  const Timestamp time = id_time(value);
  EXPECT_LE(time, kSomeTime);
  EXPECT_GT(time + kIdTick, kSomeTime);
  EXPECT_EQ(decompose_id(value).node, 7u);
  EXPECT_EQ(decompose_id(value).sequence, 0u);
}

TEST(IdGenerator, TodaysIdsHave17Or18Digits) {
  IdGenerator generator;
  const std::string id = generator.next(IdKind::api_client);
  ASSERT_TRUE(id.starts_with("m2morg_")) << id;
  const std::size_t digits = id.size() - 7;
  EXPECT_GE(digits, 17u) << id;
  EXPECT_LE(digits, 19u) << id;
  EXPECT_LE(id.size(), kMaxIdLength);
}

TEST(IdGenerator, IncreasesWithinOneTick) {
  FakeClock clock(kSomeTime);
  IdGenerator generator(1, clock.clock());
  std::uint64_t previous = 0;
  for (int i = 0; i < 256; ++i) {
    const std::uint64_t value = generator.next_value();
    EXPECT_GT(value, previous);
    EXPECT_EQ(decompose_id(value).sequence, static_cast<std::uint32_t>(i));
    previous = value;
  }
}

TEST(IdGenerator, WaitsForTheNextTickWhenTheSequenceIsUsedUp) {
  FakeClock clock(kSomeTime);
  IdGenerator generator(1, clock.clock());
  std::uint64_t first_tick = decompose_id(generator.next_value()).tick;
  for (int i = 1; i < 256; ++i) {
    (void)generator.next_value();
  }
  // The clock now creeps forward 1 ms per read: the generator must wait until the next tick.
  clock.set_step(1ms);
  const IdParts next = decompose_id(generator.next_value());
  EXPECT_EQ(next.tick, first_tick + 1);
  EXPECT_EQ(next.sequence, 0u);
}

TEST(IdGenerator, NeverGoesBackwardsWhenTheClockDoes) {
  FakeClock clock(kSomeTime);
  IdGenerator generator(3, clock.clock());
  const std::uint64_t before = generator.next_value();
  clock.set(kSomeTime - 1h);
  std::uint64_t previous = before;
  // More than one tick's worth: the generator borrows ticks instead of waiting an hour.
  for (int i = 0; i < 600; ++i) {
    const std::uint64_t value = generator.next_value();
    ASSERT_GT(value, previous);
    previous = value;
  }
  clock.set(kSomeTime + 1s);
  EXPECT_GT(generator.next_value(), previous);
}

TEST(IdGenerator, StartsTheSequenceAgainOnANewTick) {
  FakeClock clock(kSomeTime);
  IdGenerator generator(0, clock.clock());
  (void)generator.next_value();
  (void)generator.next_value();
  clock.set(kSomeTime + 20ms);
  EXPECT_EQ(decompose_id(generator.next_value()).sequence, 0u);
}

TEST(IdGenerator, ClockBeforeTheEpochUsesTickZero) {
  FakeClock clock(kIdEpoch - 24h);
  IdGenerator generator(0, clock.clock());
  EXPECT_EQ(decompose_id(generator.next_value()).tick, 0u);
}

TEST(IdGenerator, UniqueAndIncreasingPerThreadAcrossThreads) {
  IdGenerator generator(42);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 500;  // 8,000 ids: about 0.3 s at 256 ids per 10 ms
  std::vector<std::vector<std::uint64_t>> minted(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        minted[t].push_back(generator.next_value());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::set<std::uint64_t> all;
  for (const auto& values : minted) {
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
    all.insert(values.begin(), values.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const std::uint64_t value : all) {
    ASSERT_EQ(decompose_id(value).node, 42u);
  }
}

TEST(IdFormat, FormatsPrefixAndDecimal) {
  EXPECT_EQ(format_id(IdKind::organization, 123), "org_123");
  EXPECT_EQ(format_id(IdKind::token, kMaxIdValue), "tkn_9223372036854775807");
}

TEST(IdParse, AcceptsWhatFormatProduces) {
  IdGenerator generator;
  for (const IdKind kind : {IdKind::organization, IdKind::api_client, IdKind::secret,
                            IdKind::environment_client, IdKind::signing_key, IdKind::token}) {
    const std::uint64_t value = generator.next_value();
    EXPECT_EQ(parse_id(kind, format_id(kind, value)), value);
  }
  EXPECT_EQ(parse_id(IdKind::organization, "org_1"), 1u);
  EXPECT_EQ(parse_id(IdKind::organization, "org_9223372036854775807"), kMaxIdValue);
}

TEST(IdParse, RefusesMalformedIds) {
  for (const char* text : {"", "org_", "org", "org_0", "org_0123", "org_-1", "org_+1", "org_1a",
                           "org_ 1", "org_1 ", "ORG_1", "org__1", "m2morg_1", "org_1.0",
                           "org_9223372036854775808", "org_99999999999999999999"}) {
    EXPECT_FALSE(parse_id(IdKind::organization, text).has_value()) << text;
  }
  EXPECT_FALSE(parse_id(IdKind::organization, std::string_view("org_1\0", 6)).has_value());
}

TEST(IdParse, LengthLimitCountsThePrefix) {
  // "m2morg_" (7) + 19 digits = 26 <= 32: fine. A longer prefix-only overflow is refused by value.
  EXPECT_TRUE(parse_id(IdKind::api_client, "m2morg_9223372036854775807").has_value());
  EXPECT_FALSE(parse_id(IdKind::api_client, "m2morg_" + std::string(26, '1')).has_value());
}

TEST(IdParse, AnyKindByPrefix) {
  const auto client = parse_any_id("m2morg_77");
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->kind, IdKind::api_client);
  EXPECT_EQ(client->value, 77u);
  const auto environment = parse_any_id("skc_5");
  ASSERT_TRUE(environment.has_value());
  EXPECT_EQ(environment->kind, IdKind::environment_client);
  EXPECT_FALSE(parse_any_id("xyz_5").has_value());
  EXPECT_FALSE(parse_any_id("sks_05").has_value());
}

}  // namespace
}  // namespace tessera::domain
