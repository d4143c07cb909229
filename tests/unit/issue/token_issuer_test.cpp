#include "server/issue/token_issuer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/issue/json_writer.hpp"
#include "tessera/jose/base64url.hpp"

namespace tessera::issue {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class TokenIssuerTest : public ::testing::Test {
 protected:
  TokenIssuerTest() : ring(86400s), issuer("http://127.0.0.1:8080", ring) {
    auto key = jose::PrivateKey::generate(jose::Algorithm::RS256);
    public_key.emplace(*key->public_key("snk_1"));
    const auto now = domain::now();
    ring.set_keys({keys::RingKey{"snk_1", std::make_shared<jose::JwsSigner>(*key, "snk_1"),
                                 *public_key, now, now, std::nullopt}},
                  now);
  }

  std::pair<json, json> decode(const std::string& token) {
    auto parts = jose::split_compact(token);
    EXPECT_TRUE(parts);
    const auto signature = jose::base64url_decode(parts->signature_b64);
    EXPECT_TRUE(public_key->verify(parts->signing_input, *signature));
    return {json::parse(*jose::base64url_decode(parts->header_b64)),
            json::parse(*jose::base64url_decode(parts->payload_b64))};
  }

  keys::KeyRing ring;
  TokenIssuer issuer;
  std::optional<jose::PublicKey> public_key;
  std::vector<std::string> scopes{"deploy:applications", "read:deployments"};
};

TEST_F(TokenIssuerTest, IssuesTheContractClaimsForAnApiClient) {
  const Grant grant{"m2morg_69038819013296423", "org_59615193906282635", scopes, {}, {}, 3600};
  auto token = issuer.issue(grant, 1745218940, "tkn_69041163914445100");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->expires_in, 3600);
  const auto [header, claims] = decode(token->access_token);
  EXPECT_EQ(header, json({{"alg", "RS256"}, {"kid", "snk_1"}, {"typ", "at+jwt"}}));
  EXPECT_EQ(claims, json::parse(R"({
    "client_id": "m2morg_69038819013296423", "exp": 1745222540, "iat": 1745218940,
    "iss": "http://127.0.0.1:8080", "jti": "tkn_69041163914445100", "nbf": 1745218940,
    "oid": "org_59615193906282635", "scopes": ["deploy:applications", "read:deployments"],
    "scope": "deploy:applications read:deployments", "sub": "m2morg_69038819013296423"})"));
}

TEST_F(TokenIssuerTest, AddsAudienceAndCustomClaimsOnlyWhenSet) {
  const std::vector<std::string> audience{"https://api.example.com"};
  const std::vector<domain::CustomClaim> custom{{"env", "prod"}, {"team", "a\"b"}};
  const Grant grant{"m2morg_1", "org_1", scopes, audience, custom, 300};
  const auto [header, claims] = decode(issuer.issue(grant, 1000, "tkn_1")->access_token);
  EXPECT_EQ(claims["aud"], json::array({"https://api.example.com"}));
  EXPECT_EQ(claims["custom_claims"], json({{"env", "prod"}, {"team", "a\"b"}}));
  EXPECT_EQ(claims["exp"], 1300);
}

TEST_F(TokenIssuerTest, ManagementTokenHasNoOrganizationAndAnEmptyScopes) {
  const std::vector<std::string> audience{std::string(kManagementAudience)};
  const Grant grant{"skc_1", "", {}, audience, {}, 3600};
  const auto [header, claims] = decode(issuer.issue(grant, 1000, "tkn_2")->access_token);
  EXPECT_FALSE(claims.contains("oid"));
  EXPECT_FALSE(claims.contains("scope"));
  EXPECT_EQ(claims["scopes"], json::array());
  EXPECT_EQ(claims["aud"], json::array({"tessera:management"}));
}

TEST_F(TokenIssuerTest, FailsCleanlyWithoutAnActiveKey) {
  keys::KeyRing empty(3600s);
  TokenIssuer no_keys("http://x", empty);
  auto token = no_keys.issue(Grant{"m2morg_1", "org_1", scopes, {}, {}, 3600}, 1, "tkn_3");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error(), IssueError::no_signing_key);
}

TEST(JsonWriter, EscapesWhatJsonRequires) {
  std::string out;
  append_json_string(out, std::string_view("a\"b\\c\n\x01\x7f\xc3\xa9", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u000a\\u0001\x7f\xc3\xa9\"");
  EXPECT_EQ(json::parse(out).get<std::string>(), std::string_view("a\"b\\c\n\x01\x7f\xc3\xa9", 10));
}

TEST(JsonWriter, WritesNestedStructures) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.string("x");
  w.integer(-5);
  w.end_array();
  w.key("b");
  w.begin_object();
  w.end_object();
  w.end_object();
  EXPECT_EQ(out, R"({"a":["x",-5],"b":{}})");
}

}  // namespace
}  // namespace tessera::issue
