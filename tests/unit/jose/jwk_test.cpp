#include <string>

#include <gtest/gtest.h>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/keys.hpp"
#include "unit/jose/openssl_keys.hpp"
#include "unit/jose/rfc_vectors.hpp"

namespace tessera::jose {
namespace {

namespace rfc = testing::rfc;
using testing::rsa_jwk;

std::string s(std::string_view v) {
  return std::string(v);
}

const std::string kRfcRsaJwk = rsa_jwk(rfc::a2::kN);
const std::string kRfcEcJwk =
    R"({"kty":"EC","crv":"P-256","x":")" + s(rfc::a3::kX) + R"(","y":")" + s(rfc::a3::kY) + R"("})";
const std::string kRfcEdJwk =
    R"({"kty":"OKP","crv":"Ed25519","x":")" + s(rfc::rfc8037::kX) + R"("})";

KeyError error_of(std::string_view jwk) {
  auto key = parse_jwk(jwk);
  EXPECT_FALSE(key.ok()) << jwk;
  return key.ok() ? KeyError::crypto_failure : key.error();
}

TEST(Jwk, DerivesTheAlgorithmFromTheKeyType) {
  auto rsa = parse_jwk(kRfcRsaJwk);
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->algorithm(), Algorithm::RS256);
  EXPECT_EQ(rsa->bits(), 2048);
  auto ec = parse_jwk(kRfcEcJwk);
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->algorithm(), Algorithm::ES256);
  auto ed = parse_jwk(kRfcEdJwk);
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(ed->algorithm(), Algorithm::EdDSA);
}

TEST(Jwk, ThumbprintsMatchRfc7638AndRfc8037) {
  auto rfc7638 = parse_jwk(rsa_jwk(rfc::rfc7638::kN, R"(,"alg":"RS256","kid":"2011-04-29")"));
  ASSERT_TRUE(rfc7638.ok());
  EXPECT_EQ(rfc7638->thumbprint(), rfc::rfc7638::kThumbprint);
  EXPECT_EQ(parse_jwk(kRfcEdJwk)->thumbprint(), rfc::rfc8037::kThumbprint);
  EXPECT_EQ(parse_jwk(kRfcRsaJwk)->thumbprint(), rfc::a2::kThumbprint);
  EXPECT_EQ(parse_jwk(kRfcEcJwk)->thumbprint(), rfc::a3::kThumbprint);
}

TEST(Jwk, ExportsPublicMembersOnlyAndRoundTrips) {
  for (auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    auto priv = PrivateKey::generate(alg);
    ASSERT_TRUE(priv.ok());
    auto pub = priv->public_key("snk_1");
    ASSERT_TRUE(pub.ok());
    const std::string json = pub->to_jwk_json();
    for (const char* secret : {R"("d")", R"("p")", R"("q")", R"("dp")", R"("dq")", R"("qi")"}) {
      EXPECT_EQ(json.find(secret), std::string::npos) << json;
    }
    EXPECT_NE(json.find(R"("use":"sig")"), std::string::npos);
    EXPECT_NE(json.find(R"("kid":"snk_1")"), std::string::npos);
    EXPECT_NE(json.find(R"("alg":")" + std::string(to_string(alg)) + "\""), std::string::npos);
    auto back = parse_jwk(json);
    ASSERT_TRUE(back.ok()) << json;
    EXPECT_EQ(back->algorithm(), alg);
    EXPECT_EQ(back->kid(), "snk_1");
    EXPECT_EQ(back->thumbprint(), pub->thumbprint());
  }
}

TEST(Jwk, ExportsTheRfcKeysCanonically) {
  EXPECT_EQ(parse_jwk(kRfcEdJwk)->to_jwk_json(),
            R"({"alg":"EdDSA","crv":"Ed25519","kty":"OKP","use":"sig","x":")" +
                s(rfc::rfc8037::kX) + R"("})");
  EXPECT_EQ(parse_jwk(kRfcRsaJwk)->to_jwk_json(), R"({"alg":"RS256","e":"AQAB","kty":"RSA","n":")" +
                                                      s(rfc::a2::kN) + R"(","use":"sig"})");
}

TEST(Jwk, IgnoresRsaKeysOutsideTheSizeBounds) {
  EXPECT_EQ(error_of(rsa_jwk(testing::random_modulus_b64(2047))), KeyError::weak_key);
  EXPECT_EQ(error_of(rsa_jwk(testing::random_modulus_b64(1024))), KeyError::weak_key);
  EXPECT_TRUE(parse_jwk(rsa_jwk(testing::random_modulus_b64(2048))).ok());
  EXPECT_TRUE(parse_jwk(rsa_jwk(testing::random_modulus_b64(8192))).ok());
  EXPECT_EQ(error_of(rsa_jwk(testing::random_modulus_b64(8193))), KeyError::oversized_key);
  EXPECT_EQ(error_of(rsa_jwk(testing::random_modulus_b64(16384))), KeyError::oversized_key);
}

TEST(Jwk, RejectsBadRsaExponents) {
  const std::string n = testing::random_modulus_b64(2048);
  const auto with_e = [&](std::string_view e) {
    return R"({"kty":"RSA","n":")" + n + R"(","e":")" + s(e) + R"("})";
  };
  EXPECT_EQ(error_of(with_e("AQ")), KeyError::weak_key);    // e = 1
  EXPECT_EQ(error_of(with_e("AQAA")), KeyError::weak_key);  // even
  EXPECT_EQ(error_of(with_e("")), KeyError::malformed);
  EXPECT_EQ(error_of(with_e("AQAB==")), KeyError::malformed);
  EXPECT_EQ(error_of(with_e("AQABAQABAQAB")), KeyError::malformed);  // 9 octets
}

TEST(Jwk, ChecksAlgAgainstKtyAndCrv) {
  EXPECT_TRUE(parse_jwk(rsa_jwk(rfc::a2::kN, R"(,"alg":"RS256")")).ok());
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"ES256")")), KeyError::alg_mismatch);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"EdDSA")")), KeyError::alg_mismatch);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"HS256")")), KeyError::unsupported_alg);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"none")")), KeyError::unsupported_alg);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"rs256")")), KeyError::unsupported_alg);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":"PS256")")), KeyError::unsupported_alg);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"alg":256)")), KeyError::malformed);
  std::string ec = kRfcEcJwk;
  ec.insert(1, R"("alg":"RS256",)");
  EXPECT_EQ(error_of(ec), KeyError::alg_mismatch);
  std::string ed = kRfcEdJwk;
  ed.insert(1, R"("alg":"ES256",)");
  EXPECT_EQ(error_of(ed), KeyError::alg_mismatch);
}

TEST(Jwk, RejectsUnsupportedTypesAndCurves) {
  EXPECT_EQ(error_of(R"({"kty":"oct","k":"c2VjcmV0"})"), KeyError::unsupported_kty);
  EXPECT_EQ(error_of(R"({"kty":"rsa","n":"AQAB","e":"AQAB"})"), KeyError::unsupported_kty);
  EXPECT_EQ(error_of(R"({"n":"AQAB","e":"AQAB"})"), KeyError::malformed);
  std::string p384 = kRfcEcJwk;
  p384.replace(p384.find("P-256"), 5, "P-384");
  EXPECT_EQ(error_of(p384), KeyError::unsupported_curve);
  std::string secp = kRfcEcJwk;
  secp.replace(secp.find("P-256"), 5, "secp256k1");
  EXPECT_EQ(error_of(secp), KeyError::unsupported_curve);
  std::string ed448 = kRfcEdJwk;
  ed448.replace(ed448.find("Ed25519"), 7, "Ed448");
  EXPECT_EQ(error_of(ed448), KeyError::unsupported_curve);
  std::string x25519 = kRfcEdJwk;
  x25519.replace(x25519.find("Ed25519"), 7, "X25519");
  EXPECT_EQ(error_of(x25519), KeyError::unsupported_curve);
}

TEST(Jwk, HonoursUseAndKeyOps) {
  EXPECT_TRUE(parse_jwk(rsa_jwk(rfc::a2::kN, R"(,"use":"sig")")).ok());
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"use":"enc")")), KeyError::not_for_signing);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"use":"SIG")")), KeyError::not_for_signing);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"use":1)")), KeyError::not_for_signing);
  EXPECT_TRUE(parse_jwk(rsa_jwk(rfc::a2::kN, R"(,"key_ops":["verify"])")).ok());
  EXPECT_TRUE(parse_jwk(rsa_jwk(rfc::a2::kN, R"(,"key_ops":["sign","verify"])")).ok());
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"key_ops":["encrypt"])")), KeyError::not_for_signing);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"key_ops":[])")), KeyError::not_for_signing);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"key_ops":"verify")")), KeyError::not_for_signing);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"key_ops":["verify",1])")),
            KeyError::not_for_signing);
}

TEST(Jwk, RejectsEcPointsOffTheCurve) {
  // Flip the last bit of y: (x, y') is not on P-256.
  auto y = *base64url_decode(rfc::a3::kY);
  y.back() = static_cast<char>(y.back() ^ 1);
  const std::string off = R"({"kty":"EC","crv":"P-256","x":")" + s(rfc::a3::kX) + R"(","y":")" +
                          base64url_encode(y) + R"("})";
  EXPECT_EQ(error_of(off), KeyError::invalid_key);
  const std::string zeros = base64url_encode(std::string(32, '\0'));
  EXPECT_EQ(error_of(R"({"kty":"EC","crv":"P-256","x":")" + zeros + R"(","y":")" + zeros + R"("})"),
            KeyError::invalid_key);
  // Coordinates must be exactly 32 octets.
  const std::string short_x = base64url_encode(std::string(31, '\x01'));
  EXPECT_EQ(error_of(R"({"kty":"EC","crv":"P-256","x":")" + short_x + R"(","y":")" +
                     s(rfc::a3::kY) + R"("})"),
            KeyError::malformed);
}

TEST(Jwk, RejectsMalformedMembers) {
  EXPECT_EQ(error_of("[]"), KeyError::malformed);
  EXPECT_EQ(error_of("not json"), KeyError::malformed);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"kid":7)")), KeyError::malformed);
  EXPECT_EQ(error_of(rsa_jwk(rfc::a2::kN, R"(,"n":"AQAB")")), KeyError::malformed);  // duplicate
  EXPECT_EQ(error_of(rsa_jwk(s(rfc::a2::kN) + "=")), KeyError::malformed);           // padding
  EXPECT_EQ(error_of(R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})"), KeyError::malformed);
}

TEST(Jwks, KeepsGoodKeysAndListsSkippedOnes) {
  const std::string doc = R"({"keys":[)" + rsa_jwk(rfc::a2::kN, R"(,"kid":"good")") + "," +
                          rsa_jwk(testing::random_modulus_b64(1024), R"(,"kid":"weak")") + "," +
                          rsa_jwk(rfc::a2::kN, R"(,"kid":"enc","use":"enc")") + "," +
                          rsa_jwk(rfc::a2::kN) + "," +  // no kid
                          R"({"kty":"oct","k":"AAAA","kid":"hmac"},)" +
                          rsa_jwk(rfc::rfc7638::kN, R"(,"kid":"good")") + "]}";
  auto jwks = parse_jwks(doc);
  ASSERT_TRUE(jwks.ok());
  ASSERT_EQ(jwks->keys.size(), 1u);
  EXPECT_EQ(jwks->keys[0].kid(), "good");
  EXPECT_EQ(jwks->keys[0].thumbprint(), rfc::a2::kThumbprint);  // the first "good" wins
  EXPECT_EQ(jwks->skipped.size(), 5u);
  EXPECT_NE(jwks->find("good"), nullptr);
  EXPECT_EQ(jwks->find("weak"), nullptr);
  EXPECT_EQ(jwks->find("hmac"), nullptr);
  EXPECT_EQ(jwks->find(""), nullptr);
  EXPECT_EQ(jwks->find(std::string_view("good\0", 5)), nullptr);  // full-length compare
}

TEST(Jwks, RejectsMalformedDocuments) {
  EXPECT_FALSE(parse_jwks("{}").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":{}})").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":[],"keys":[]})").ok());
  EXPECT_FALSE(parse_jwks("[]").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":[]} trailing)").ok());
  EXPECT_FALSE(parse_jwks(std::string(kMaxJwksBytes + 1, ' ')).ok());
  std::string many = R"({"keys":[)";
  for (std::size_t i = 0; i <= kMaxJwksKeys; ++i)
    many += std::string(i ? "," : "") + "{}";
  many += "]}";
  auto too_many = parse_jwks(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error(), KeyError::too_many_keys);
  auto empty = parse_jwks(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys.empty());
}

TEST(Jwks, ExportsWhatItParses) {
  auto a = parse_jwk(rsa_jwk(rfc::a2::kN, R"(,"kid":"a")"));
  auto b =
      parse_jwk(R"({"kty":"OKP","crv":"Ed25519","kid":"b","x":")" + s(rfc::rfc8037::kX) + R"("})");
  ASSERT_TRUE(a.ok() && b.ok());
  auto jwks = parse_jwks(to_jwks_json({*a, *b}));
  ASSERT_TRUE(jwks.ok());
  ASSERT_EQ(jwks->keys.size(), 2u);
  EXPECT_EQ(jwks->find("a")->thumbprint(), a->thumbprint());
  EXPECT_EQ(jwks->find("b")->algorithm(), Algorithm::EdDSA);
  EXPECT_EQ(to_jwks_json({}), R"({"keys":[]})");
}

TEST(KeyErrors, AreNamed) {
  for (int i = 0; i <= static_cast<int>(KeyError::crypto_failure); ++i) {
    EXPECT_FALSE(to_string(static_cast<KeyError>(i)).empty());
  }
}

}  // namespace
}  // namespace tessera::jose
