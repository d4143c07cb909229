// Signing key rotation: a new key is published before it signs, tokens signed by the old key keep
// verifying, new tokens carry the new kid.
#include <set>
#include <thread>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

using namespace std::chrono_literals;

class SigningKeysTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    org_id = api->create_organization().at("id").get<std::string>();
    seed = api->create_client_raw(org_id, kSeedClientBody);
  }

  std::string token() { return api->access_token(seed.id(), seed.plain_secret); }
  static std::string kid_of(const std::string& token) {
    return decode_jwt(token).header.at("kid").get<std::string>();
  }
  std::set<std::string> published_kids() {
    const auto response = request(server->port(), "GET", "/keys");
    require_status(response, 200, "GET /keys");
    std::set<std::string> kids;
    const Json keys = response.json().at("keys");
    for (const auto& key : keys)
      kids.insert(key.at("kid").get<std::string>());
    return kids;
  }
  Response rotate(const Json& body) { return api->call("POST", "/api/v1/keys:rotate", body); }
  Json key_list() {
    const auto response = api->call("GET", "/api/v1/keys");
    require_status(response, 200, "GET /api/v1/keys");
    return response.json().at("keys");
  }
  static std::string state_of(const Json& keys, const std::string& id) {
    for (const auto& key : keys) {
      if (key.at("id") == id) return key.at("state").get<std::string>();
    }
    return "(absent)";
  }

  std::string org_id;
  CreatedClient seed;
};

TEST_F(SigningKeysTest, OldTokensStillVerifyAndNewTokensCarryTheNewKid) {
  std::shared_ptr<verify::JwksCache> cache;
  const auto verifier = make_verifier(server->url(), &cache);
  const std::string old_token = token();
  const std::string old_kid = kid_of(old_token);
  ASSERT_TRUE(verifier.verify(old_token).ok());
  const Json before = key_list();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(state_of(before, old_kid), "ACTIVE");

  const auto rotated = rotate({{"algorithm", "RS256"}, {"activate_after_seconds", 0}});
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  const Json key = rotated.json().at("key");
  const std::string new_kid = key.at("id").get<std::string>();
  EXPECT_TRUE(is_id(key.at("id"), "snk"));
  EXPECT_NE(new_kid, old_kid);
  EXPECT_EQ(key.at("algorithm"), "RS256");
  EXPECT_EQ(key.dump().find("\"d\""), std::string::npos);

  const std::string new_token = token();
  EXPECT_EQ(kid_of(new_token), new_kid);
  EXPECT_EQ(published_kids(), (std::set<std::string>{old_kid, new_kid}));

  // The verifier that cached the old JWKS verifies both (the new kid triggers one refresh) ...
  const auto old_result = verifier.verify(old_token);
  EXPECT_TRUE(old_result.ok()) << verify::to_string(old_result.error());
  const auto new_result = verifier.verify(new_token);
  EXPECT_TRUE(new_result.ok()) << verify::to_string(new_result.error());
  // ... and so does one that starts after the rotation.
  const auto fresh = make_verifier(server->url());
  EXPECT_TRUE(fresh.verify(old_token).ok());
  EXPECT_TRUE(fresh.verify(new_token).ok());

  const Json after = key_list();
  EXPECT_EQ(state_of(after, new_kid), "ACTIVE");
  EXPECT_EQ(state_of(after, old_kid), "RETIRED");
  // The management token issued before the rotation still works (this call uses it).
  EXPECT_EQ(api->call("GET", "/api/v1/organizations").status, 200);
}

TEST_F(SigningKeysTest, DelayedKeyIsPublishedBeforeItSigns) {
  const std::string old_kid = kid_of(token());
  const auto started = std::chrono::steady_clock::now();
  const auto rotated = rotate({{"algorithm", "RS256"}, {"activate_after_seconds", 2}});
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  const std::string new_kid = rotated.json().at("key").at("id").get<std::string>();
  EXPECT_EQ(rotated.json().at("key").at("state"), "PENDING");
  EXPECT_EQ(state_of(key_list(), new_kid), "PENDING");
  EXPECT_EQ(state_of(key_list(), old_kid), "ACTIVE");

  // Published at once: a verifier that fetches now already knows the next key.
  EXPECT_EQ(published_kids(), (std::set<std::string>{old_kid, new_kid}));
  std::shared_ptr<verify::JwksCache> cache;
  const auto verifier = make_verifier(server->url(), &cache);
  const std::string still_old = token();
  EXPECT_EQ(kid_of(still_old), old_kid);
  ASSERT_TRUE(verifier.verify(still_old).ok());
  const auto fetches = cache->stats().fetches;

  std::string first_new;
  while (std::chrono::steady_clock::now() - started < 8s) {
    const std::string t = token();
    if (kid_of(t) == new_kid) {
      first_new = t;
      break;
    }
    EXPECT_EQ(kid_of(t), old_kid);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(first_new.empty()) << "no token was signed by the new key within 8 s";
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1900ms)
      << "the new key signed before its activation time";
  // Verifies without another JWKS fetch: the key was there before it signed anything.
  const auto verified = verifier.verify(first_new);
  EXPECT_TRUE(verified.ok()) << verify::to_string(verified.error());
  EXPECT_EQ(cache->stats().fetches, fetches);
  EXPECT_TRUE(verifier.verify(still_old).ok());
  EXPECT_EQ(state_of(key_list(), new_kid), "ACTIVE");
}

TEST_F(SigningKeysTest, RotationToAnotherAlgorithmPublishesPublicMembersOnly) {
  const auto rotated = rotate({{"algorithm", "ES256"}, {"activate_after_seconds", 0}});
  ASSERT_EQ(rotated.status, 201) << rotated.describe();
  const std::string new_kid = rotated.json().at("key").at("id").get<std::string>();
  const Jwt jwt = decode_jwt(token());
  EXPECT_EQ(jwt.header.at("alg"), "ES256");
  EXPECT_EQ(jwt.header.at("kid"), new_kid);
  const Json keys = request(server->port(), "GET", "/keys").json().at("keys");
  bool found = false;
  for (const auto& key : keys) {
    EXPECT_FALSE(key.contains("d")) << key;
    if (key.at("kid") != new_kid) continue;
    found = true;
    EXPECT_EQ(key.at("kty"), "EC");
    EXPECT_EQ(key.at("crv"), "P-256");
    EXPECT_EQ(key.at("alg"), "ES256");
    EXPECT_TRUE(key.contains("x") && key.contains("y"));
  }
  EXPECT_TRUE(found);
}

TEST_F(SigningKeysTest, RotationRequestIsValidated) {
  for (const Json& body :
       {Json{{"algorithm", "HS256"}}, Json{{"algorithm", "none"}}, Json{{"algorithm", "rs256"}},
        Json{{"algorithm", 256}}, Json{{"activate_after_seconds", -1}},
        Json{{"activate_after_seconds", "soon"}}, Json{{"activate_after_seconds", 99999999}}}) {
    SCOPED_TRACE(body.dump());
    const auto response = rotate(body);
    EXPECT_EQ(response.status, 400) << response.describe();
    EXPECT_EQ(response.json().at("code"), 3);
  }
  EXPECT_EQ(key_list().size(), 1u);
}

}  // namespace
}  // namespace tessera::it
