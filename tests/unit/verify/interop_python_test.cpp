// Cross-checks with independent JWT implementations from Debian: python3-jwt (PyJWT) and
// python3-jwcrypto. Tokens they mint verify with the SDK, and tokens tessera signs verify with
// them. Debian's /usr/bin/python3 is used on purpose: a python3 earlier on PATH (pyenv, venv)
// may lack these packages.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tessera/jose/jws.hpp"
#include "tessera/verify/verifier.hpp"
#include "unit/verify/test_support.hpp"

namespace tessera::verify {
namespace {

using jose::Algorithm;
using json = nlohmann::json;
using namespace tessera::testing;

constexpr const char* kPython = "/usr/bin/python3";

// Runs `script` with one argument, a JSON file holding `input`; returns stdout parsed as JSON.
json run_python(const std::string& script, const json& input) {
  // ctest runs each test in its own process, possibly in parallel: the pid keeps files apart.
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "tessera_interop_" + std::to_string(getpid()) +
                           "_" + std::to_string(++counter);
  std::ofstream(base + ".py") << script;
  std::ofstream(base + ".json") << input.dump();
  const std::string command = std::string(kPython) + " '" + base + ".py' '" + base + ".json' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string output;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  const int status = pclose(pipe);
  std::remove((base + ".py").c_str());
  std::remove((base + ".json").c_str());
  EXPECT_EQ(status, 0) << output;
  auto parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << output;
  return parsed;
}

json realtime_claims() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  json claims = seed_claims();
  claims["iat"] = now;
  claims["nbf"] = now;
  claims["exp"] = now + 600;
  claims["aud"] = {"deploy-api"};
  claims["custom_claims"] = {{"environment", "production"}};
  return claims;
}

Verifier realtime_verifier(std::shared_ptr<KeySource> keys, bool accept_plain_jwt = false) {
  return *Verifier::create({.issuer = std::string(kIssuer),
                            .audiences = {"deploy-api"},
                            .algorithms = {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA},
                            .accept_plain_jwt = accept_plain_jwt,
                            .key_source = std::move(keys)});
}

void expect_seed_claims(const Result<Claims, VerifyError>& claims, const json& expected) {
  ASSERT_TRUE(claims.ok()) << to_string(claims.error());
  EXPECT_EQ(claims->sub, expected["sub"].get<std::string>());
  EXPECT_EQ(claims->client_id, expected["client_id"].get<std::string>());
  EXPECT_EQ(claims->oid, expected["oid"].get<std::string>());
  EXPECT_EQ(claims->jti, expected["jti"].get<std::string>());
  EXPECT_EQ(claims->exp, expected["exp"].get<std::int64_t>());
  EXPECT_EQ(claims->scopes, expected["scopes"].get<std::vector<std::string>>());
  EXPECT_EQ(claims->aud, std::vector<std::string>{"deploy-api"});
  EXPECT_EQ(claims->custom_claims.at("environment"), "production");
}

constexpr const char* kPyJwtSign = R"(
import json, sys, jwt
args = json.load(open(sys.argv[1]))
headers = {"kid": args["kid"]}
if args["typ"]:
    headers["typ"] = args["typ"]
print(json.dumps({"token": jwt.encode(args["claims"], args["pem"], algorithm=args["alg"], headers=headers)}))
)";

TEST(InteropPyJwt, SdkVerifiesTokensPyJwtSigned) {
  for (const auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    SCOPED_TRACE(std::string(jose::to_string(alg)));
    const TestKey key = make_key(alg, "snk_py");
    const json claims = realtime_claims();
    const json out = run_python(kPyJwtSign, {{"pem", key.priv.to_pem()},
                                             {"alg", jose::to_string(alg)},
                                             {"kid", key.kid},
                                             {"typ", "at+jwt"},
                                             {"claims", claims}});
    const std::string token = out["token"];
    expect_seed_claims(realtime_verifier(static_keys({&key})).verify(token), claims);
    // A token from another key under the same kid must not verify.
    const TestKey other = make_key(alg, "snk_py", 1);
    EXPECT_EQ(realtime_verifier(static_keys({&other})).verify(token).error(),
              VerifyError::bad_signature);
  }
}

TEST(InteropPyJwt, PlainJwtTypIsAcceptedOnlyWhenConfigured) {
  const TestKey key = make_key(Algorithm::RS256, "snk_py");
  const json claims = realtime_claims();
  // PyJWT's default header says "typ":"JWT", like many third-party issuers.
  const std::string token = run_python(kPyJwtSign, {{"pem", key.priv.to_pem()},
                                                    {"alg", "RS256"},
                                                    {"kid", key.kid},
                                                    {"typ", nullptr},
                                                    {"claims", claims}})["token"];
  EXPECT_EQ(realtime_verifier(static_keys({&key})).verify(token).error(),
            VerifyError::wrong_token_type);
  expect_seed_claims(realtime_verifier(static_keys({&key}), true).verify(token), claims);
}

constexpr const char* kJwcryptoSign = R"(
import json, sys
from jwcrypto import jwk, jwt
args = json.load(open(sys.argv[1]))
if args["alg"] == "RS256":
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="snk_jwcrypto", use="sig", alg="RS256")
elif args["alg"] == "ES256":
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="snk_jwcrypto")
else:
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519", kid="snk_jwcrypto")
keys = jwk.JWKSet()
keys.add(key)
token = jwt.JWT(header={"alg": args["alg"], "kid": "snk_jwcrypto", "typ": "at+jwt"},
                claims=args["claims"])
token.make_signed_token(key)
print(json.dumps({"jwks": keys.export(private_keys=False), "token": token.serialize()}))
)";

TEST(InteropJwcrypto, SdkImportsItsJwksAndVerifiesItsTokens) {
  for (const auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    SCOPED_TRACE(std::string(jose::to_string(alg)));
    const json claims = realtime_claims();
    const json out = run_python(kJwcryptoSign, {{"alg", jose::to_string(alg)}, {"claims", claims}});
    auto keys = StaticKeySource::from_json(out["jwks"].get<std::string>());
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ((*keys)->keys()->keys.size(), 1u) << out["jwks"];
    expect_seed_claims(realtime_verifier(*keys).verify(out["token"].get<std::string>()), claims);
  }
}

constexpr const char* kVerifyElsewhere = R"(
import json, sys, jwt
from jwcrypto import jwk, jws
args = json.load(open(sys.argv[1]))
pyjwt_key = jwt.PyJWK(json.loads(args["jwk"])).key
pyjwt_claims = jwt.decode(args["token"], pyjwt_key, algorithms=[args["alg"]],
                          issuer=args["issuer"], audience="deploy-api")
header = jwt.get_unverified_header(args["token"])
keyset = jwk.JWKSet.from_json(args["jwks"])
verifier = jws.JWS()
verifier.deserialize(args["token"])
verifier.verify(keyset.get_key(header["kid"]), alg=args["alg"])
print(json.dumps({"pyjwt": pyjwt_claims, "jwcrypto": json.loads(verifier.payload),
                  "header": header, "thumbprint": keyset.get_key(header["kid"]).thumbprint()}))
)";

TEST(InteropReverse, PyJwtAndJwcryptoVerifyTokensTesseraSigned) {
  for (const auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    SCOPED_TRACE(std::string(jose::to_string(alg)));
    const TestKey key = make_key(alg, "snk_tessera");
    const jose::JwsSigner signer(key.priv, key.kid);
    const json claims = realtime_claims();
    std::string token;
    ASSERT_TRUE(signer.sign(claims.dump(), token));
    const json out = run_python(kVerifyElsewhere, {{"token", token},
                                                   {"jwk", key.pub.to_jwk_json()},
                                                   {"jwks", jwks_json({&key})},
                                                   {"alg", jose::to_string(alg)},
                                                   {"issuer", kIssuer}});
    EXPECT_EQ(out["pyjwt"], claims);
    EXPECT_EQ(out["jwcrypto"], claims);
    EXPECT_EQ(out["header"],
              (json{{"alg", jose::to_string(alg)}, {"kid", "snk_tessera"}, {"typ", "at+jwt"}}));
    EXPECT_EQ(out["thumbprint"], key.pub.thumbprint());  // RFC 7638, computed independently
  }
}

}  // namespace
}  // namespace tessera::verify
