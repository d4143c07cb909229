// The Authorizer's exact RFC 6750 answers.
#include "tessera/verify/authorizer.hpp"

#include <gtest/gtest.h>

#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;

class AuthorizerTest : public ::testing::Test {
 protected:
  TestKey rsa = make_key(Algorithm::RS256, "snk_1");
  Authorizer authorizer{make_verifier(static_keys({&rsa})), "deploy-api"};
  std::string token = mint(rsa, seed_claims());

  static void expect_no_token_echo(const AuthDecision& d, std::string_view token) {
    for (const auto& part :
         {token.substr(0, token.find('.')), token.substr(token.rfind('.') + 1)}) {
      EXPECT_EQ(d.www_authenticate.find(part), std::string::npos);
      EXPECT_EQ(d.body.find(part), std::string::npos);
    }
  }
};

TEST_F(AuthorizerTest, AllowsAValidTokenWithTheScopes) {
  const AuthDecision d = authorizer.authorize("Bearer " + token, {"deploy:applications"});
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.outcome, AuthOutcome::allowed);
  EXPECT_EQ(d.status, 200);
  EXPECT_TRUE(d.www_authenticate.empty());
  EXPECT_TRUE(d.body.empty());
  ASSERT_TRUE(d.claims.has_value());
  EXPECT_EQ(d.claims->client_id, "m2morg_69038819013296423");
  EXPECT_TRUE(authorizer.authorize("Bearer " + token, {"deploy:applications", "read:deployments"})
                  .allowed());
  EXPECT_TRUE(
      authorizer.authorize("Bearer " + token, std::initializer_list<std::string_view>{}).allowed());
  const std::vector<std::string> required = {"read:deployments"};
  EXPECT_TRUE(authorizer.authorize("Bearer " + token, required).allowed());
}

TEST_F(AuthorizerTest, AcceptsTheSchemeInAnyCase) {
  for (const char* scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR "}) {
    EXPECT_TRUE(authorizer.authorize(scheme + token, {"read:deployments"}).allowed()) << scheme;
  }
}

TEST_F(AuthorizerTest, ChallengesWithoutErrorWhenCredentialsAreMissing) {
  const AuthDecision d = authorizer.authorize("", {"read:deployments"});
  EXPECT_EQ(d.outcome, AuthOutcome::missing_token);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.www_authenticate, R"(Bearer realm="deploy-api")");
  EXPECT_EQ(json::parse(d.body)["error"], "unauthorized");
  EXPECT_FALSE(d.claims.has_value());
  for (const std::string& header :
       std::vector<std::string>{"Basic dXNlcjpwYXNz", "Token " + token, "Bearer" + token,
                                "Bearer:" + token, "Digest x", "Bearertoken"}) {
    const AuthDecision other = authorizer.authorize(header, {"read:deployments"});
    EXPECT_EQ(other.outcome, AuthOutcome::not_bearer) << header;
    EXPECT_EQ(other.status, 401);
    EXPECT_EQ(other.www_authenticate, R"(Bearer realm="deploy-api")");
  }
}

TEST_F(AuthorizerTest, RejectsMalformedBearerHeadersLikeMissingOnes) {
  for (const std::string& header : std::vector<std::string>{
           std::string("Bearer"), std::string("Bearer "), "Bearer  " + token,
           "Bearer " + token + " ", "Bearer\t" + token, "Bearer " + token + " extra",
           "Bearer " + token + ",Bearer " + token, "Bearer " + token + ", Bearer " + token,
           "Bearer " + token + "\r\n", "Bearer ===", "Bearer a=b", "Bearer \"" + token + "\"",
           std::string("Bearer tok\xC3\xA9n"), std::string("Bearer ab\0cd", 12)}) {
    const AuthDecision d = authorizer.authorize(header, {"read:deployments"});
    EXPECT_EQ(d.outcome, AuthOutcome::malformed_header) << header;
    EXPECT_EQ(d.status, 401);
    EXPECT_EQ(d.www_authenticate, R"(Bearer realm="deploy-api")");
    expect_no_token_echo(d, token);
  }
  // token68 allows trailing '=' and "~+/": syntactically fine, then refused as a token.
  EXPECT_EQ(authorizer.authorize("Bearer abc~+/==", {"x"}).outcome, AuthOutcome::invalid_token);
}

TEST_F(AuthorizerTest, AnswersInvalidTokenWithTheReason) {
  json expired = seed_claims();
  expired["exp"] = kNow - 3600;
  const std::string bad = mint(rsa, expired);
  const AuthDecision d = authorizer.authorize("Bearer " + bad, {"read:deployments"});
  EXPECT_EQ(d.outcome, AuthOutcome::invalid_token);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.verify_error, VerifyError::expired);
  EXPECT_EQ(
      d.www_authenticate,
      R"(Bearer realm="deploy-api", error="invalid_token", error_description="token expired")");
  const json body = json::parse(d.body);
  EXPECT_EQ(body["error"], "invalid_token");
  EXPECT_EQ(body["error_description"], "token expired");
  EXPECT_FALSE(d.claims.has_value());
  expect_no_token_echo(d, bad);

  const AuthDecision garbage = authorizer.authorize("Bearer not.a.jwt", {"read:deployments"});
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.outcome, AuthOutcome::invalid_token);
  EXPECT_NE(garbage.www_authenticate.find(R"(error="invalid_token")"), std::string::npos);
  EXPECT_EQ(garbage.www_authenticate.find("not.a.jwt"), std::string::npos);
}

TEST_F(AuthorizerTest, AnswersInsufficientScopeWith403) {
  const AuthDecision d = authorizer.authorize("Bearer " + token, {"admin:all"});
  EXPECT_EQ(d.outcome, AuthOutcome::insufficient_scope);
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(d.www_authenticate,
            R"(Bearer realm="deploy-api", error="insufficient_scope", scope="admin:all")");
  const json body = json::parse(d.body);
  EXPECT_EQ(body["error"], "insufficient_scope");
  EXPECT_EQ(body["scope"], "admin:all");
  ASSERT_TRUE(d.claims.has_value());  // the token itself was fine
  const AuthDecision two =
      authorizer.authorize("Bearer " + token, {"deploy:applications", "admin:all"});
  EXPECT_EQ(two.status, 403);
  EXPECT_NE(two.www_authenticate.find(R"(scope="deploy:applications admin:all")"),
            std::string::npos);
  // Near misses are misses.
  for (const char* near : {"deploy", "Deploy:applications", "deploy:applications "}) {
    EXPECT_EQ(authorizer.authorize("Bearer " + token, {near}).status, 403) << near;
  }
}

TEST_F(AuthorizerTest, MalformedScopesClaimIsInvalidTokenNotForbidden) {
  json claims = seed_claims();
  claims["scopes"] = "deploy:applications read:deployments";
  const AuthDecision d =
      authorizer.authorize("Bearer " + mint(rsa, claims), {"deploy:applications"});
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.verify_error, VerifyError::malformed_claim);
}

TEST_F(AuthorizerTest, QuotesRealmAndScopesSafely) {
  const Authorizer odd(make_verifier(static_keys({&rsa})), "a \"quoted\\\" realm\r\n");
  const AuthDecision d = odd.authorize("Bearer " + token, {"x\"y"});
  EXPECT_EQ(d.www_authenticate,
            R"(Bearer realm="a \"quoted\\\" realm", error="insufficient_scope", scope="x\"y")");
  EXPECT_EQ(json::parse(d.body)["scope"], "x\"y");
}

TEST(AuthOutcomes, AreNamed) {
  for (int i = 0; i <= static_cast<int>(AuthOutcome::insufficient_scope); ++i) {
    EXPECT_NE(to_string(static_cast<AuthOutcome>(i)), "unauthorized");
  }
}

}  // namespace
}  // namespace tessera::verify
