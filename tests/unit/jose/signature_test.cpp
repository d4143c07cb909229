// Signature verification edge cases: lengths, ECDSA scalar ranges (CVE-2022-21449), algorithm
// binding to the key.
#include <string>

#include <gtest/gtest.h>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/keys.hpp"

namespace tessera::jose {
namespace {

// Order n of P-256, big-endian.
const std::string kP256Order = *base64url_decode("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE");

struct Signed {
  PublicKey key;
  std::string input;
  std::string signature;
};

Signed sign_with_new_key(Algorithm alg) {
  auto priv = PrivateKey::generate(alg);
  std::string sig;
  const std::string input = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";
  EXPECT_TRUE(priv->sign(input, sig));
  return {*priv->public_key("k"), input, sig};
}

TEST(Es256, RejectsZeroScalarsCve2022_21449) {
  const Signed s = sign_with_new_key(Algorithm::ES256);
  ASSERT_TRUE(s.key.verify(s.input, s.signature));
  const std::string zero(32, '\0');
  EXPECT_FALSE(s.key.verify(s.input, zero + zero));
  EXPECT_FALSE(s.key.verify(s.input, zero + s.signature.substr(32)));     // r = 0
  EXPECT_FALSE(s.key.verify(s.input, s.signature.substr(0, 32) + zero));  // s = 0
}

TEST(Es256, RejectsScalarsAtOrAboveTheGroupOrder) {
  const Signed s = sign_with_new_key(Algorithm::ES256);
  const std::string r = s.signature.substr(0, 32), sv = s.signature.substr(32);
  EXPECT_FALSE(s.key.verify(s.input, kP256Order + sv));
  EXPECT_FALSE(s.key.verify(s.input, r + kP256Order));
  EXPECT_FALSE(s.key.verify(s.input, std::string(32, '\xFF') + sv));
  EXPECT_FALSE(s.key.verify(s.input, kP256Order + kP256Order));
}

TEST(Es256, AcceptsOnlyRaw64OctetSignatures) {
  const Signed s = sign_with_new_key(Algorithm::ES256);
  EXPECT_FALSE(s.key.verify(s.input, s.signature.substr(0, 63)));
  EXPECT_FALSE(s.key.verify(s.input, s.signature + '\0'));
  EXPECT_FALSE(s.key.verify(s.input, '\0' + s.signature));
  EXPECT_FALSE(s.key.verify(s.input, ""));
  // A DER ECDSA-Sig-Value (what OpenSSL itself produces) is not a JWS signature.
  std::string der =
      "\x30\x44\x02\x20" + s.signature.substr(0, 32) + "\x02\x20" + s.signature.substr(32);
  EXPECT_FALSE(s.key.verify(s.input, der));
  std::string flipped = s.signature;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x01);
  EXPECT_FALSE(s.key.verify(s.input, flipped));
}

TEST(Rs256, RequiresTheModulusLength) {
  const Signed s = sign_with_new_key(Algorithm::RS256);
  ASSERT_EQ(s.signature.size(), 256u);
  ASSERT_TRUE(s.key.verify(s.input, s.signature));
  EXPECT_FALSE(s.key.verify(s.input, s.signature.substr(1)));
  EXPECT_FALSE(s.key.verify(s.input, '\0' + s.signature));
  EXPECT_FALSE(s.key.verify(s.input, std::string(256, '\0')));
  EXPECT_FALSE(s.key.verify(s.input, ""));
  std::string flipped = s.signature;
  flipped[100] = static_cast<char>(flipped[100] ^ 0x80);
  EXPECT_FALSE(s.key.verify(s.input, flipped));
}

TEST(EdDsa, RequiresExactly64Octets) {
  const Signed s = sign_with_new_key(Algorithm::EdDSA);
  ASSERT_TRUE(s.key.verify(s.input, s.signature));
  EXPECT_FALSE(s.key.verify(s.input, s.signature.substr(0, 63)));
  EXPECT_FALSE(s.key.verify(s.input, s.signature + '\0'));
  EXPECT_FALSE(s.key.verify(s.input, std::string(64, '\0')));
}

TEST(AlgorithmBinding, AKeyVerifiesOnlyWithItsOwnAlgorithm) {
  // Signatures of one family never verify under a key of another, whatever their length.
  const Signed rsa = sign_with_new_key(Algorithm::RS256);
  const Signed ec = sign_with_new_key(Algorithm::ES256);
  const Signed ed = sign_with_new_key(Algorithm::EdDSA);
  EXPECT_FALSE(rsa.key.verify(ec.input, ec.signature));
  EXPECT_FALSE(rsa.key.verify(ed.input, ed.signature));
  EXPECT_FALSE(ec.key.verify(ed.input, ed.signature));
  EXPECT_FALSE(ed.key.verify(ec.input, ec.signature));
}

TEST(Algorithm, ParsesRegisteredNamesExactly) {
  EXPECT_EQ(parse_algorithm("RS256"), Algorithm::RS256);
  EXPECT_EQ(parse_algorithm("ES256"), Algorithm::ES256);
  EXPECT_EQ(parse_algorithm("EdDSA"), Algorithm::EdDSA);
  for (const char* bad : {"none", "None", "NONE", "nOnE", "rs256", "Rs256", "RS256 ", " RS256",
                          "HS256", "HS512", "PS256", "RS384", "ES256K", "EDDSA", "Ed25519", ""}) {
    EXPECT_FALSE(parse_algorithm(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parse_algorithm(std::string_view("RS256\0", 6)).has_value());
  for (auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    EXPECT_EQ(parse_algorithm(to_string(alg)), alg);
  }
}

}  // namespace
}  // namespace tessera::jose
