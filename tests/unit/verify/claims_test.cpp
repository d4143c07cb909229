// Claim rules: types, time edges (including values that would be undefined behaviour if cast
// carelessly), issuer exactness, audience any-of, scopes exactness.
#include <string>

#include <gtest/gtest.h>

#include "tessera/verify/verifier.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;

class ClaimsTest : public ::testing::Test {
 protected:
  TestKey rsa = make_key(Algorithm::RS256, "snk_1");
  std::shared_ptr<KeySource> keys = static_keys({&rsa});

  Verifier verifier_with(const std::function<void(VerifierOptions&)>& tweak = {}) const {
    auto options = options_for(keys);
    if (tweak) tweak(options);
    return *Verifier::create(options);
  }
  Result<Claims, VerifyError> verify(const json& claims, const Verifier* v = nullptr) const {
    return (v ? *v : verifier_with()).verify(mint(rsa, claims));
  }
  Result<Claims, VerifyError> verify_payload(const std::string& payload) const {
    return verifier_with().verify(mint_raw(rsa, header_for(rsa), payload));
  }
  static json with(const char* name, const json& value) {
    json claims = seed_claims();
    claims[name] = value;
    return claims;
  }
  static json without(const char* name) {
    json claims = seed_claims();
    claims.erase(name);
    return claims;
  }
  VerifyError error_of(const json& claims, const Verifier* v = nullptr) const {
    auto result = verify(claims, v);
    EXPECT_FALSE(result.ok()) << claims.dump();
    return result.ok() ? VerifyError::bad_signature : result.error();
  }
};

// --- time ---------------------------------------------------------------------------------------

TEST_F(ClaimsTest, RequiresExp) {
  EXPECT_EQ(error_of(without("exp")), VerifyError::missing_expiry);
  EXPECT_TRUE(verify(without("iat")).ok());
  EXPECT_TRUE(verify(without("nbf")).ok());
}

TEST_F(ClaimsTest, RequiresTimeClaimsToBeNumbers) {
  for (const char* name : {"exp", "nbf", "iat"}) {
    for (const json& value : {json(std::to_string(kNow + 100)), json(true), json(nullptr),
                              json::array({kNow + 100}), json{{"t", kNow + 100}}}) {
      EXPECT_EQ(error_of(with(name, value)), VerifyError::malformed_claim)
          << name << "=" << value.dump();
    }
  }
}

TEST_F(ClaimsTest, BoundsTimeClaimsWithoutUndefinedBehaviour) {
  // Run under UBSan: none of these may reach a float-to-integer conversion out of range.
  const std::vector<std::string> out_of_range = {"1e300",
                                                 "-1e300",
                                                 "1e19",
                                                 "-1",
                                                 "-0.5",
                                                 "1e20",
                                                 "9.3e18",
                                                 "9223372036854775807",
                                                 "9223372036854775808",
                                                 "18446744073709551615",
                                                 "18446744073709551616",
                                                 "-9223372036854775808",
                                                 "253402300800",
                                                 "253402300799.5"};
  for (const char* name : {"exp", "nbf", "iat"}) {
    for (const std::string& value : out_of_range) {
      std::string payload = without(name).dump();
      payload.insert(1, "\"" + std::string(name) + "\":" + value + ",");
      auto result = verify_payload(payload);
      ASSERT_FALSE(result.ok()) << name << "=" << value;
      EXPECT_EQ(result.error(), VerifyError::time_claim_out_of_range) << name << "=" << value;
    }
  }
  // The far end of the range is still a date: a token valid until 9999 verifies.
  EXPECT_TRUE(verify(with("exp", 253402300799)).ok());
  EXPECT_TRUE(verify_payload(R"({"iss":"https://auth.example.com","exp":2.534023e11})").ok());
}

TEST_F(ClaimsTest, AppliesLeewayToExpAtTheBoundary) {
  // Default leeway 60 s: valid while now < exp + 60.
  EXPECT_TRUE(verify(with("exp", kNow - 59)).ok());
  EXPECT_EQ(error_of(with("exp", kNow - 60)), VerifyError::expired);
  EXPECT_EQ(error_of(with("exp", 0)), VerifyError::expired);
  const Verifier strict = verifier_with([](auto& o) { o.leeway = std::chrono::seconds(0); });
  EXPECT_TRUE(verify(with("exp", kNow + 1), &strict).ok());
  EXPECT_EQ(error_of(with("exp", kNow), &strict), VerifyError::expired);
  // Fractional NumericDates are floored: kNow + 0.5 is kNow, which is already expired.
  EXPECT_EQ(error_of(with("exp", static_cast<double>(kNow) + 0.5), &strict), VerifyError::expired);
  EXPECT_TRUE(verify(with("exp", static_cast<double>(kNow) + 1.5), &strict).ok());
}

TEST_F(ClaimsTest, AppliesLeewayToNbfAndIat) {
  EXPECT_TRUE(verify(with("nbf", kNow + 60)).ok());
  EXPECT_EQ(error_of(with("nbf", kNow + 61)), VerifyError::not_yet_valid);
  EXPECT_TRUE(verify(with("iat", kNow + 60)).ok());
  EXPECT_EQ(error_of(with("iat", kNow + 61)), VerifyError::issued_in_future);
  const Verifier strict = verifier_with([](auto& o) { o.leeway = std::chrono::seconds(0); });
  EXPECT_TRUE(verify(with("nbf", kNow), &strict).ok());
  EXPECT_EQ(error_of(with("nbf", kNow + 1), &strict), VerifyError::not_yet_valid);
  EXPECT_EQ(error_of(with("iat", kNow + 1), &strict), VerifyError::issued_in_future);
  EXPECT_TRUE(verify(with("iat", 0)).ok());  // an old iat alone is not an error; exp decides
}

TEST_F(ClaimsTest, UsesTheConfiguredClock) {
  const json claims = seed_claims();
  const Verifier later =
      verifier_with([](auto& o) { o.clock = [] { return at(kNow + 3600 + 60); }; });
  EXPECT_EQ(error_of(claims, &later), VerifyError::expired);
  const Verifier system_clock = verifier_with([](auto& o) { o.clock = nullptr; });
  EXPECT_EQ(error_of(claims, &system_clock), VerifyError::expired);  // kNow is in the past
}

// --- issuer -------------------------------------------------------------------------------------

TEST_F(ClaimsTest, MatchesTheIssuerExactly) {
  EXPECT_TRUE(verify(with("iss", kIssuer)).ok());
  for (const std::string& iss : std::vector<std::string>{
           std::string(kIssuer) + "/", std::string("https://auth.example.co"),
           std::string("https://auth.example.com.evil.example"),
           std::string("HTTPS://AUTH.EXAMPLE.COM"), std::string("http://auth.example.com"),
           std::string(kIssuer) + std::string("\0", 1),
           std::string(kIssuer) + std::string("\0evil", 5), std::string(" ") + std::string(kIssuer),
           std::string("")}) {
    EXPECT_EQ(error_of(with("iss", iss)), VerifyError::issuer_mismatch) << json(iss).dump();
  }
  EXPECT_EQ(error_of(without("iss")), VerifyError::issuer_mismatch);
  EXPECT_EQ(error_of(with("iss", json::array({kIssuer}))), VerifyError::malformed_claim);
  const Verifier slash = verifier_with([](auto& o) { o.issuer = std::string(kIssuer) + "/"; });
  EXPECT_EQ(error_of(seed_claims(), &slash), VerifyError::issuer_mismatch);
}

// --- audience -----------------------------------------------------------------------------------

TEST_F(ClaimsTest, ChecksAudienceAnyOfWhenConfigured) {
  const Verifier deploy = verifier_with([](auto& o) {
    o.audiences = {"https://deploy.example.com", "deploy-api"};
  });
  EXPECT_TRUE(verify(with("aud", "deploy-api"), &deploy).ok());
  EXPECT_TRUE(verify(with("aud", {"other", "https://deploy.example.com"}), &deploy).ok());
  auto claims = verify(with("aud", {"a", "deploy-api"}), &deploy);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->aud, (std::vector<std::string>{"a", "deploy-api"}));
  for (const json& aud :
       {json("other"), json::array({"other", "x"}), json::array(), json("deploy-api "),
        json("Deploy-Api"), json("deploy"), json("https://deploy.example.com/")}) {
    EXPECT_EQ(error_of(with("aud", aud), &deploy), VerifyError::audience_mismatch) << aud.dump();
  }
  EXPECT_EQ(error_of(without("aud"), &deploy), VerifyError::audience_mismatch);
}

TEST_F(ClaimsTest, TypeChecksAudienceEvenWhenNotConfigured) {
  auto claims = verify(with("aud", "anything"));
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->aud, std::vector<std::string>{"anything"});
  for (const json& aud :
       {json(1), json::array({1}), json::array({"a", nullptr}), json{{"a", "b"}}, json(nullptr)}) {
    EXPECT_EQ(error_of(with("aud", aud)), VerifyError::malformed_claim) << aud.dump();
  }
}

// --- scopes -------------------------------------------------------------------------------------

TEST_F(ClaimsTest, ReadsScopesAsAStringArray) {
  auto claims = verify(with("scopes", {"deploy:applications", "Read:Deployments", ""}));
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->scopes,
            (std::vector<std::string>{"deploy:applications", "Read:Deployments", ""}));
  EXPECT_TRUE(verify(with("scopes", json::array()))->scopes.empty());
  EXPECT_TRUE(verify(without("scopes"))->scopes.empty());
}

TEST_F(ClaimsTest, MalformedScopesAreAnInvalidTokenNeverASubstringMatch) {
  for (const json& scopes :
       {json("deploy:applications read:deployments"), json("deploy:applications"), json(1),
        json(nullptr), json(true), json::array({1}), json::array({"deploy:applications", 2}),
        json::array({json::array({"deploy:applications"})}), json{{"deploy:applications", true}}}) {
    EXPECT_EQ(error_of(with("scopes", scopes)), VerifyError::malformed_claim) << scopes.dump();
  }
}

TEST_F(ClaimsTest, FallsBackToTheRfc9068ScopeString) {
  json rfc9068 = without("scopes");
  rfc9068["scope"] = "deploy:applications read:deployments";
  auto read = verify(rfc9068);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  rfc9068["scope"] = "";
  EXPECT_TRUE(verify(rfc9068)->scopes.empty());
  for (const json& bad :
       {json("a  b"), json(" a"), json("a "), json(" "), json(1), json::array({"a"})}) {
    rfc9068["scope"] = bad;
    EXPECT_EQ(error_of(rfc9068), VerifyError::malformed_claim) << bad.dump();
  }
}

TEST_F(ClaimsTest, RequiresScopeAndScopesToAgree) {
  json both = seed_claims();
  both["scope"] = "read:deployments deploy:applications";  // same set, other order
  auto claims = verify(both);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->scopes, (std::vector<std::string>{"deploy:applications", "read:deployments"}));
  for (const char* scope : {"deploy:applications", "deploy:applications read:deployments admin",
                            "deploy:applications deploy:applications", ""}) {
    both["scope"] = scope;
    EXPECT_EQ(error_of(both), VerifyError::malformed_claim) << scope;
  }
}

// --- other claims -------------------------------------------------------------------------------

TEST_F(ClaimsTest, RequiresStringIdentifiers) {
  for (const char* name : {"sub", "client_id", "oid", "jti"}) {
    for (const json& value : {json(1), json(nullptr), json::array({"x"}), json{{"x", "y"}}}) {
      EXPECT_EQ(error_of(with(name, value)), VerifyError::malformed_claim) << name;
    }
  }
}

TEST_F(ClaimsTest, ReadsCustomClaimsAsAStringMap) {
  auto claims = verify(with("custom_claims", {{"environment", "production"}, {"team", "infra"}}));
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->custom_claims.size(), 2u);
  EXPECT_EQ(claims->custom_claims.find("environment")->second, "production");
  for (const json& bad : {json("x"), json::array({"x"}), json{{"n", 1}}, json{{"o", {{"a", "b"}}}},
                          json{{"z", nullptr}}}) {
    EXPECT_EQ(error_of(with("custom_claims", bad)), VerifyError::malformed_claim) << bad.dump();
  }
}

TEST_F(ClaimsTest, KeepsTheRawPayloadWithUnmodelledClaims) {
  const std::string payload =
      R"({"iss":"https://auth.example.com", "exp":1745222540,"realm":{"roles":["a"]},"n":1.5})";
  auto claims = verify_payload(payload);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->raw_payload, payload);
}

TEST_F(ClaimsTest, RequiresTheSignedPayloadToBeAStrictObject) {
  for (const std::string& payload : std::vector<std::string>{
           std::string("[]"), std::string("\"x\""), std::string("null"), std::string("1"),
           std::string("{\"iss\":\"\xFF\"}"), std::string(R"({"exp":1} trailing)"),
           std::string("\xEF\xBB\xBF{}"), std::string(R"({"a":"\ud800"})"),
           std::string(20, '[') + std::string(20, ']')}) {
    auto result = verify_payload(payload);
    ASSERT_FALSE(result.ok()) << payload;
    EXPECT_EQ(result.error(), VerifyError::malformed_payload) << payload;
  }
}

}  // namespace
}  // namespace tessera::verify
