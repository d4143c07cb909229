// The verified-token cache (VerifierOptions::token_cache_entries): a remembered token is answered
// exactly as a first verification would be, never past its exp, never after its key set changed;
// failures are not remembered; the cache stays within its bound under concurrent use.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/verify/verifier.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using namespace tessera::testing;

// A key source whose key set the test replaces, as a JWKS refresh would.
class SwappableKeySource final : public KeySource {
 public:
  explicit SwappableKeySource(std::shared_ptr<const jose::Jwks> keys) : keys_(std::move(keys)) {}
  std::shared_ptr<const jose::Jwks> keys() override {
    std::lock_guard lock(mutex_);
    return keys_;
  }
  std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override { return keys(); }
  void set(std::shared_ptr<const jose::Jwks> keys) {
    std::lock_guard lock(mutex_);
    keys_ = std::move(keys);
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const jose::Jwks> keys_;
};

class TokenCacheTest : public ::testing::Test {
 protected:
  TestKey rsa = make_key(Algorithm::RS256, "snk_1");
  TestKey other = make_key(Algorithm::RS256, "snk_2", 1);
  std::shared_ptr<SwappableKeySource> source =
      std::make_shared<SwappableKeySource>(static_keys({&rsa})->keys());
  std::atomic<std::int64_t> now{kNow};

  Verifier cached_verifier(std::size_t entries, std::chrono::seconds leeway = kDefaultLeeway) {
    VerifierOptions options = options_for(source);
    options.leeway = leeway;
    options.token_cache_entries = entries;
    options.clock = [this] { return at(now.load()); };
    auto verifier = Verifier::create(std::move(options));
    if (!verifier) throw std::runtime_error("verifier");
    return std::move(*verifier);
  }

  std::string token_with_jti(const std::string& jti) const {
    auto claims = seed_claims();
    claims["jti"] = jti;
    return mint(rsa, claims);
  }
};

void expect_same_claims(const Claims& a, const Claims& b) {
  EXPECT_EQ(a.iss, b.iss);
  EXPECT_EQ(a.sub, b.sub);
  EXPECT_EQ(a.client_id, b.client_id);
  EXPECT_EQ(a.oid, b.oid);
  EXPECT_EQ(a.jti, b.jti);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.aud, b.aud);
  EXPECT_EQ(a.exp, b.exp);
  EXPECT_EQ(a.iat, b.iat);
  EXPECT_EQ(a.nbf, b.nbf);
  EXPECT_EQ(a.custom_claims, b.custom_claims);
  EXPECT_EQ(a.raw_payload, b.raw_payload);
}

TEST_F(TokenCacheTest, OffByDefault) {
  const Verifier verifier = make_verifier(source);
  ASSERT_TRUE(verifier.verify(mint(rsa, seed_claims())).ok());
  EXPECT_EQ(verifier.cached_tokens(), 0u);
}

TEST_F(TokenCacheTest, ARepeatedTokenGetsTheClaimsOfItsFirstVerification) {
  const Verifier verifier = cached_verifier(16);
  const std::string token = mint(rsa, seed_claims());
  auto first = verifier.verify(token);
  ASSERT_TRUE(first.ok()) << to_string(first.error());
  EXPECT_EQ(verifier.cached_tokens(), 1u);
  for (int i = 0; i < 3; ++i) {
    auto again = verifier.verify(token);
    ASSERT_TRUE(again.ok()) << to_string(again.error());
    expect_same_claims(*again, *first);
  }
  EXPECT_EQ(verifier.cached_tokens(), 1u);
  // Copies of a Verifier share its cache.
  const Verifier copy = verifier;
  EXPECT_EQ(copy.cached_tokens(), 1u);
}

TEST_F(TokenCacheTest, NeverAnswersAtOrPastExp) {
  const Verifier verifier = cached_verifier(16, std::chrono::seconds(0));
  const std::string token = mint(rsa, seed_claims());  // exp = kNow + 3600
  ASSERT_TRUE(verifier.verify(token).ok());
  now = kNow + 3599;
  EXPECT_TRUE(verifier.verify(token).ok());
  now = kNow + 3600;
  auto expired = verifier.verify(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error(), VerifyError::expired);
  EXPECT_EQ(verifier.cached_tokens(), 0u);
}

TEST_F(TokenCacheTest, TheLeewayPastExpIsLeftToAFullVerification) {
  const Verifier verifier = cached_verifier(16, std::chrono::seconds(60));
  const std::string token = mint(rsa, seed_claims());
  ASSERT_TRUE(verifier.verify(token).ok());
  now = kNow + 3630;  // past exp, within the leeway: accepted, but not from the cache
  EXPECT_TRUE(verifier.verify(token).ok());
  EXPECT_EQ(verifier.cached_tokens(), 0u);
  now = kNow + 3660;
  auto expired = verifier.verify(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error(), VerifyError::expired);
}

TEST_F(TokenCacheTest, AChangedKeySetIsConsultedAgain) {
  const Verifier verifier = cached_verifier(16);
  const std::string token = mint(rsa, seed_claims());
  ASSERT_TRUE(verifier.verify(token).ok());
  // The key is withdrawn (say it leaked): a remembered token must not outlive it.
  source->set(static_keys({&other})->keys());
  auto refused = verifier.verify(token);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), VerifyError::unknown_kid);
  // A new snapshot that still holds the key verifies afresh.
  source->set(static_keys({&rsa, &other})->keys());
  EXPECT_TRUE(verifier.verify(token).ok());
  EXPECT_EQ(verifier.cached_tokens(), 1u);
}

TEST_F(TokenCacheTest, FailuresAreNotRemembered) {
  const Verifier verifier = cached_verifier(16);
  const std::string token = mint(rsa, seed_claims());
  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier.verify(tampered).error(), VerifyError::bad_signature);
  EXPECT_EQ(verifier.cached_tokens(), 0u);
  ASSERT_TRUE(verifier.verify(token).ok());
  // One byte off a remembered token is another token: verified in full, and refused.
  EXPECT_EQ(verifier.verify(tampered).error(), VerifyError::bad_signature);
  auto wrong_issuer = seed_claims();
  wrong_issuer["iss"] = "https://evil.example.com";
  EXPECT_EQ(verifier.verify(mint(rsa, wrong_issuer)).error(), VerifyError::issuer_mismatch);
  EXPECT_EQ(verifier.cached_tokens(), 1u);
}

TEST_F(TokenCacheTest, NotYetValidTokensAreRefusedEvenWhenRemembered) {
  const Verifier verifier = cached_verifier(16, std::chrono::seconds(0));
  const std::string token = mint(rsa, seed_claims());  // nbf = kNow
  ASSERT_TRUE(verifier.verify(token).ok());
  now = kNow - 10;  // the clock stepped back
  auto early = verifier.verify(token);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error(), VerifyError::not_yet_valid);
}

TEST_F(TokenCacheTest, StaysWithinItsBound) {
  const Verifier verifier = cached_verifier(8);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(verifier.verify(token_with_jti("tkn_" + std::to_string(i + 1))).ok());
    ASSERT_LE(verifier.cached_tokens(), 8u);
  }
  EXPECT_GT(verifier.cached_tokens(), 0u);
}

TEST_F(TokenCacheTest, ConcurrentCallersAllGetTheirOwnTokensClaims) {
  const Verifier verifier = cached_verifier(4);  // small: slots are taken over all the time
  std::vector<std::string> tokens;
  for (int i = 0; i < 12; ++i)
    tokens.push_back(token_with_jti("tkn_" + std::to_string(100 + i)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::size_t pick = static_cast<std::size_t>(t * 7 + i) % tokens.size();
        auto claims = verifier.verify(tokens[pick]);
        if (!claims || claims->jti != "tkn_" + std::to_string(100 + pick)) ++wrong;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(verifier.cached_tokens(), 4u);
}

}  // namespace
}  // namespace tessera::verify
