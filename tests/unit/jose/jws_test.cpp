#include "tessera/jose/jws.hpp"

#include <string>

#include <gtest/gtest.h>

#include "tessera/jose/base64url.hpp"
#include "unit/jose/openssl_keys.hpp"
#include "unit/jose/rfc_vectors.hpp"

namespace tessera::jose {
namespace {

namespace rfc = testing::rfc;

std::string s(std::string_view v) {
  return std::string(v);
}

std::string join(std::string_view a, std::string_view b, std::string_view c) {
  return s(a) + "." + s(b) + "." + s(c);
}

std::string decoded(std::string_view b64) {
  return base64url_decode(b64).value();
}

// --- RFC test vectors --------------------------------------------------------------------------

TEST(RfcVectors, Rfc7515A2Rs256VerifiesAndSignsDeterministically) {
  auto key = parse_jwk(testing::rsa_jwk(rfc::a2::kN));
  ASSERT_TRUE(key.ok());
  const std::string input = s(rfc::a2::kHeaderB64) + "." + s(rfc::kPayloadB64);
  const std::string signature = decoded(rfc::a2::kSignatureB64);
  EXPECT_TRUE(key->verify(input, signature));

  // RSASSA-PKCS1-v1_5 is deterministic: the RFC's private key yields the RFC's signature.
  auto priv = PrivateKey::from_pem(
      testing::rsa_private_pem(rfc::a2::kN, rfc::a2::kE, rfc::a2::kD, rfc::a2::kP, rfc::a2::kQ),
      Algorithm::RS256);
  ASSERT_TRUE(priv.ok());
  std::string produced;
  ASSERT_TRUE(priv->sign(input, produced));
  EXPECT_EQ(base64url_encode(produced), rfc::a2::kSignatureB64);

  const std::string token = join(rfc::a2::kHeaderB64, rfc::kPayloadB64, rfc::a2::kSignatureB64);
  auto split = split_compact(token);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->signing_input, input);
  auto header = parse_header(decoded(split->header_b64));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->alg, "RS256");
  EXPECT_FALSE(header->kid.has_value());
}

TEST(RfcVectors, Rfc7515A3Es256Verifies) {
  auto key = parse_jwk(R"({"kty":"EC","crv":"P-256","x":")" + s(rfc::a3::kX) + R"(","y":")" +
                       s(rfc::a3::kY) + R"("})");
  ASSERT_TRUE(key.ok());
  const std::string input = s(rfc::a3::kHeaderB64) + "." + s(rfc::kPayloadB64);
  const std::string signature = decoded(rfc::a3::kSignatureB64);
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_TRUE(key->verify(input, signature));
  EXPECT_FALSE(key->verify(input + " ", signature));

  // ECDSA is randomised: a signature by the RFC key verifies, and is raw R||S, 64 octets.
  auto priv = PrivateKey::from_pem(testing::p256_private_pem(rfc::a3::kD, rfc::a3::kX, rfc::a3::kY),
                                   Algorithm::ES256);
  ASSERT_TRUE(priv.ok());
  std::string produced;
  ASSERT_TRUE(priv->sign(input, produced));
  EXPECT_EQ(produced.size(), 64u);
  EXPECT_TRUE(key->verify(input, produced));
  EXPECT_EQ(priv->public_key("")->thumbprint(), rfc::a3::kThumbprint);
}

TEST(RfcVectors, Rfc8037Ed25519SignsDeterministicallyAndVerifies) {
  auto priv =
      PrivateKey::from_pem(testing::ed25519_private_pem(rfc::rfc8037::kD), Algorithm::EdDSA);
  ASSERT_TRUE(priv.ok());
  std::string produced;
  ASSERT_TRUE(priv->sign(rfc::rfc8037::kSigningInput, produced));
  EXPECT_EQ(base64url_encode(produced), rfc::rfc8037::kSignatureB64);  // A.4

  auto pub = priv->public_key("");
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->thumbprint(), rfc::rfc8037::kThumbprint);  // A.3
  auto key = parse_jwk(R"({"kty":"OKP","crv":"Ed25519","x":")" + s(rfc::rfc8037::kX) + R"("})");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(
      key->verify(rfc::rfc8037::kSigningInput, decoded(rfc::rfc8037::kSignatureB64)));  // A.5
  std::string tampered = s(rfc::rfc8037::kSigningInput);
  tampered.back() = 'h';
  EXPECT_FALSE(key->verify(tampered, decoded(rfc::rfc8037::kSignatureB64)));
}

// --- compact serialization ---------------------------------------------------------------------

TEST(SplitCompact, AcceptsExactlyThreeNonEmptySegments) {
  auto ok = split_compact("aaa.bbb.ccc");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->header_b64, "aaa");
  EXPECT_EQ(ok->payload_b64, "bbb");
  EXPECT_EQ(ok->signature_b64, "ccc");
  EXPECT_EQ(ok->signing_input, "aaa.bbb");
  for (const char* bad : {"", "a", "a.b", "a.b.c.d", "a.b.c.d.e", "..", "a..c", ".b.c", "a.b.",
                          "a.b.c.", ".a.b.c", "...."}) {
    auto r = split_compact(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error(), JwsError::malformed) << bad;
  }
}

TEST(SplitCompact, CapsTheLengthBeforeAnythingElse) {
  std::string token = "a.b." + std::string(kMaxTokenBytes - 4, 'c');
  EXPECT_TRUE(split_compact(token).ok());
  token += 'c';
  ASSERT_FALSE(split_compact(token).ok());
  EXPECT_EQ(split_compact(token).error(), JwsError::too_long);
  // A huge run of dots is refused by size, not scanned as segments.
  EXPECT_EQ(split_compact(std::string(1 << 20, '.')).error(), JwsError::too_long);
  EXPECT_EQ(split_compact("a.b.c", 4).error(), JwsError::too_long);
}

// --- protected header --------------------------------------------------------------------------

JwsError header_error(std::string_view json) {
  auto h = parse_header(json);
  EXPECT_FALSE(h.ok()) << json;
  return h.ok() ? JwsError::too_long : h.error();
}

TEST(ParseHeader, ReadsTheMembersThatMatter) {
  auto h = parse_header(R"({"alg":"RS256","kid":"snk_1","typ":"at+jwt"})");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->alg, "RS256");
  EXPECT_EQ(h->kid, "snk_1");
  EXPECT_EQ(h->typ, "at+jwt");
  EXPECT_FALSE(h->has_crit);
  EXPECT_FALSE(h->b64_false);
}

TEST(ParseHeader, NeverReadsEmbeddedKeyMaterial) {
  // jwk / jku / x5u / x5c are accepted as unknown members and exposed nowhere.
  auto h = parse_header(R"({"alg":"RS256","kid":"k","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},)"
                        R"("jku":"https://evil.example/jwks","x5u":"https://evil.example/x",)"
                        R"("x5c":["MIIB"]})");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->kid, "k");
}

TEST(ParseHeader, RejectsMembersOfTheWrongType) {
  EXPECT_EQ(header_error(R"({"kid":"k"})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":null})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":["RS256"]})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","kid":1})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","kid":null})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","kid":["a"]})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","kid":{"$ne":""}})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","typ":1})"), JwsError::bad_header_field);
  EXPECT_EQ(header_error(R"({"alg":"RS256","b64":"false"})"), JwsError::bad_header_field);
}

TEST(ParseHeader, FlagsCritAndUnencodedPayload) {
  EXPECT_TRUE(parse_header(R"({"alg":"RS256","crit":["exp"],"exp":1})")->has_crit);
  EXPECT_TRUE(parse_header(R"({"alg":"RS256","crit":[]})")->has_crit);
  EXPECT_TRUE(parse_header(R"({"alg":"RS256","crit":"b64"})")->has_crit);
  EXPECT_TRUE(parse_header(R"({"alg":"RS256","b64":false})")->b64_false);
  EXPECT_FALSE(parse_header(R"({"alg":"RS256","b64":true})")->b64_false);
}

TEST(ParseHeader, RequiresAStrictJsonObject) {
  EXPECT_EQ(header_error(R"({"alg":"RS256","alg":"none"})"), JwsError::bad_header);
  EXPECT_EQ(header_error(R"(["RS256"])"), JwsError::bad_header);
  EXPECT_EQ(header_error(R"({"alg":"RS256"}x)"), JwsError::bad_header);
  EXPECT_EQ(header_error("{\"alg\":\"RS256\",\"kid\":\"\xFF\"}"), JwsError::bad_header);
  EXPECT_EQ(header_error(R"({"alg":"RS256","x":[[[[[[]]]]]]})"), JwsError::bad_header);
  EXPECT_EQ(header_error(R"({"alg":"RS256","x":")" + std::string(5000, 'a') + R"("})"),
            JwsError::bad_header);
}

// --- signing -----------------------------------------------------------------------------------

TEST(JwsSigner, ProducesVerifiableTokensForEveryAlgorithm) {
  for (auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    auto priv = PrivateKey::generate(alg);
    ASSERT_TRUE(priv.ok());
    auto pub = priv->public_key("snk_7");
    const JwsSigner signer(*priv, "snk_7");
    EXPECT_EQ(signer.kid(), "snk_7");
    EXPECT_EQ(signer.algorithm(), alg);
    std::string token;
    ASSERT_TRUE(signer.sign(R"({"sub":"m2morg_1"})", token));
    auto parts = split_compact(token);
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(decoded(parts->header_b64),
              R"({"alg":")" + s(to_string(alg)) + R"(","kid":"snk_7","typ":"at+jwt"})");
    EXPECT_EQ(decoded(parts->payload_b64), R"({"sub":"m2morg_1"})");
    const std::string sig = decoded(parts->signature_b64);
    EXPECT_TRUE(pub->verify(parts->signing_input, sig));
    EXPECT_FALSE(pub->verify(s(parts->signing_input) + "x", sig));
    // Another key of the same type does not verify it.
    auto other = PrivateKey::generate(alg)->public_key("x");
    EXPECT_FALSE(other->verify(parts->signing_input, sig));
  }
}

TEST(JwsSigner, HonoursACustomTyp) {
  const JwsSigner signer(*PrivateKey::generate(Algorithm::EdDSA), "k", "JWT");
  std::string token;
  ASSERT_TRUE(signer.sign("{}", token));
  EXPECT_EQ(parse_header(decoded(split_compact(token)->header_b64))->typ, "JWT");
}

TEST(JwsErrors, AreNamed) {
  for (auto e : {JwsError::too_long, JwsError::malformed, JwsError::bad_base64,
                 JwsError::bad_header, JwsError::bad_header_field}) {
    EXPECT_FALSE(to_string(e).empty());
  }
}

}  // namespace
}  // namespace tessera::jose
