#include "server/auth/secrets.hpp"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tessera::auth {
namespace {

TEST(Secrets, HavePrefix256BitsOfUrlSafeRandomAndSuffix) {
  const auto secret = generate_secret();
  ASSERT_TRUE(secret);
  ASSERT_EQ(secret->plain.rfind(kSecretPrefix, 0), 0u);
  const std::string body = secret->plain.substr(kSecretPrefix.size());
  EXPECT_EQ(body.size(), 43u);  // 32 bytes, base64url without padding
  for (const char c : body) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
  EXPECT_EQ(secret->suffix, secret->plain.substr(secret->plain.size() - 4));
}

TEST(Secrets, AreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(seen.insert(generate_secret()->plain).second);
}

TEST(SecretHasher, MatchesOnlyTheSameSecretUnderTheSameKey) {
  const auto key = keys::MasterKey::from_text(std::string(64, '7'))->derive(kSecretHashKeyLabel);
  const SecretHasher hasher(key);
  const auto hash = hasher.hash("tessera_abc");
  const std::string_view stored(reinterpret_cast<const char*>(hash.data()), hash.size());
  EXPECT_TRUE(hasher.matches("tessera_abc", stored));
  EXPECT_FALSE(hasher.matches("tessera_abd", stored));
  EXPECT_FALSE(hasher.matches("", stored));
  EXPECT_FALSE(hasher.matches("tessera_abc", stored.substr(0, 31)));

  const auto other = keys::MasterKey::from_text(std::string(64, '8'))->derive(kSecretHashKeyLabel);
  EXPECT_FALSE(SecretHasher(other).matches("tessera_abc", stored));
}

TEST(SecretHasher, IsHmacSha256) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". The hasher's key is
  // 32 bytes, so pad "Jefe" with zeros: HMAC pads short keys with zeros the same way.
  keys::KeyBytes key{};
  std::copy_n("Jefe", 4, key.begin());
  const auto hash = SecretHasher(key).hash("what do ya want for nothing?");
  static constexpr std::uint8_t kExpected[] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
                                               0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
                                               0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
                                               0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  EXPECT_TRUE(std::equal(hash.begin(), hash.end(), std::begin(kExpected)));
}

// The hasher keys one HMAC context up front and every hash works on a copy of it: the shared
// context must come out of any number of concurrent hashes unchanged (also run under TSan).
TEST(SecretHasherConcurrency, SharedKeyedContextGivesTheSameHashOnEveryThread) {
  keys::KeyBytes key{};
  key.fill(0x5a);
  const SecretHasher hasher(key);
  const SecretHasher copy = hasher;  // copies share the keyed context
  const SecretHash expected = hasher.hash("tessera_secret-one");
  const SecretHash other = hasher.hash("tessera_secret-two");
  ASSERT_NE(expected, other);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const SecretHasher& mine = t % 2 == 0 ? hasher : copy;
      for (int i = 0; i < 2000; ++i) {
        if (mine.hash("tessera_secret-one") != expected) ++wrong;
        if (mine.hash("tessera_secret-two") != other) ++wrong;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(hasher.hash("tessera_secret-one"), expected);
}

}  // namespace
}  // namespace tessera::auth
