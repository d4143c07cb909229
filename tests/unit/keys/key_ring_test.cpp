#include "server/keys/key_ring.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tessera::keys {
namespace {

using namespace std::chrono_literals;
using domain::Timestamp;

const Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

RingKey make_key(std::string id, Timestamp activate, std::optional<Timestamp> retire = {}) {
  auto priv = jose::PrivateKey::generate(jose::Algorithm::ES256);
  auto pub = priv->public_key(id);
  return RingKey{id,    std::make_shared<jose::JwsSigner>(*priv, id), *pub, activate - 1h, activate,
                 retire};
}

std::vector<std::string> published_kids(const KeyRing& ring) {
  std::vector<std::string> kids;
  const auto jwks = nlohmann::json::parse(*ring.jwks_json());
  for (const auto& key : jwks["keys"])
    kids.push_back(key["kid"]);
  return kids;
}

TEST(KeyRing, EmptyRingHasNoSignerAndAnEmptyJwks) {
  KeyRing ring(3600s);
  EXPECT_EQ(ring.active_signer(), nullptr);
  EXPECT_EQ(*ring.jwks_json(), R"({"keys":[]})");
}

TEST(KeyRing, PendingKeyIsPublishedBeforeItSigns) {
  KeyRing ring(3600s);
  ring.set_keys({make_key("snk_1", kT0, kT0 + 300s), make_key("snk_2", kT0 + 300s)}, kT0 + 10s);
  EXPECT_EQ(ring.active_signer()->kid(), "snk_1");
  EXPECT_EQ(published_kids(ring), (std::vector<std::string>{"snk_1", "snk_2"}));

  ring.refresh(kT0 + 300s);
  EXPECT_EQ(ring.active_signer()->kid(), "snk_2");
  EXPECT_EQ(published_kids(ring), (std::vector<std::string>{"snk_2", "snk_1"}));
}

TEST(KeyRing, RetiredKeyStaysPublishedUntilItsTokensHaveExpired) {
  KeyRing ring(3600s);
  ring.set_keys({make_key("snk_1", kT0, kT0 + 300s), make_key("snk_2", kT0 + 300s)},
                kT0 + 300s + 3599s);
  EXPECT_EQ(published_kids(ring).size(), 2u);
  ring.refresh(kT0 + 300s + 3600s);
  EXPECT_EQ(published_kids(ring), (std::vector<std::string>{"snk_2"}));
}

TEST(KeyRing, NewestActiveKeySignsEvenWithoutARetireTime) {
  KeyRing ring(3600s);
  ring.set_keys({make_key("snk_1", kT0), make_key("snk_2", kT0 + 60s)}, kT0 + 120s);
  EXPECT_EQ(ring.active_signer()->kid(), "snk_2");
}

TEST(KeyRing, JwksHoldsPublicMembersOnly) {
  KeyRing ring(3600s);
  ring.set_keys({make_key("snk_1", kT0)}, kT0);
  const auto jwk = nlohmann::json::parse(*ring.jwks_json())["keys"][0];
  for (const char* priv : {"d", "p", "q", "dp", "dq", "qi"})
    EXPECT_FALSE(jwk.contains(priv));
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], "ES256");
}

TEST(KeyRing, DescribesStates) {
  KeyRing ring(3600s);
  ring.set_keys({make_key("snk_1", kT0, kT0 + 300s), make_key("snk_2", kT0 + 300s),
                 make_key("snk_0", kT0 - 2h, kT0 - 1h)},
                kT0 + 10s);
  const auto info = ring.describe(kT0 + 10s);
  ASSERT_EQ(info.size(), 3u);
  EXPECT_EQ(info[0].state, KeyState::active);
  EXPECT_EQ(info[1].state, KeyState::pending);
  EXPECT_EQ(info[2].state, KeyState::expired);
}

}  // namespace
}  // namespace tessera::keys
