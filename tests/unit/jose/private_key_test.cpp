#include <string>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include "tessera/jose/keys.hpp"
#include "unit/jose/openssl_keys.hpp"

namespace tessera::jose {
namespace {

TEST(PrivateKey, RoundTripsThroughPem) {
  for (auto alg : {Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA}) {
    auto key = PrivateKey::generate(alg);
    ASSERT_TRUE(key.ok());
    const std::string pem = key->to_pem();
    EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);  // PKCS#8
    auto back = PrivateKey::from_pem(pem, alg);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->algorithm(), alg);
    std::string sig;
    ASSERT_TRUE(back->sign("input", sig));
    EXPECT_TRUE(key->public_key("k")->verify("input", sig));
    EXPECT_EQ(back->public_key("k")->thumbprint(), key->public_key("k")->thumbprint());
  }
}

TEST(PrivateKey, GeneratesKeysOfTheRightShape) {
  EXPECT_EQ(PrivateKey::generate(Algorithm::RS256)->public_key("")->bits(), 2048);
  EXPECT_EQ(PrivateKey::generate(Algorithm::ES256)->public_key("")->bits(), 256);
}

TEST(PrivateKey, RefusesPemOfAnotherAlgorithm) {
  const std::string rsa = PrivateKey::generate(Algorithm::RS256)->to_pem();
  const std::string ec = PrivateKey::generate(Algorithm::ES256)->to_pem();
  const std::string ed = PrivateKey::generate(Algorithm::EdDSA)->to_pem();
  EXPECT_EQ(PrivateKey::from_pem(rsa, Algorithm::ES256).error(), KeyError::alg_mismatch);
  EXPECT_EQ(PrivateKey::from_pem(ec, Algorithm::RS256).error(), KeyError::alg_mismatch);
  EXPECT_EQ(PrivateKey::from_pem(ec, Algorithm::EdDSA).error(), KeyError::alg_mismatch);
  EXPECT_EQ(PrivateKey::from_pem(ed, Algorithm::ES256).error(), KeyError::alg_mismatch);
}

TEST(PrivateKey, RefusesWeakKeysAndOtherCurves) {
  EXPECT_EQ(PrivateKey::from_pem(testing::generated_pem("RSA", 1024), Algorithm::RS256).error(),
            KeyError::alg_mismatch);
  // secp256k1 is a 256-bit EC key too, but not P-256.
  EXPECT_EQ(
      PrivateKey::from_pem(testing::generated_pem("EC", 0, "secp256k1"), Algorithm::ES256).error(),
      KeyError::alg_mismatch);
  EXPECT_EQ(
      PrivateKey::from_pem(testing::generated_pem("EC", 0, "P-384"), Algorithm::ES256).error(),
      KeyError::alg_mismatch);
  EXPECT_EQ(PrivateKey::from_pem(testing::generated_pem("ED448"), Algorithm::EdDSA).error(),
            KeyError::alg_mismatch);
}

TEST(PrivateKey, RefusesGarbageAndEncryptedPemWithoutPrompting) {
  EXPECT_EQ(PrivateKey::from_pem("", Algorithm::RS256).error(), KeyError::malformed);
  EXPECT_EQ(PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                 Algorithm::RS256)
                .error(),
            KeyError::malformed);
  // Without a passphrase callback OpenSSL would read the passphrase from the terminal.
  const std::string encrypted =
      testing::encrypted_pem(PrivateKey::generate(Algorithm::ES256)->to_pem(), "secret");
  ASSERT_NE(encrypted.find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(PrivateKey::from_pem(encrypted, Algorithm::ES256).error(), KeyError::malformed);
}

TEST(PrivateKey, PublicHalfCarriesNoPrivateMaterial) {
  auto key = PrivateKey::generate(Algorithm::RS256);
  auto pub = key->public_key("k");
  ASSERT_TRUE(pub.ok());
  BIGNUM* d = nullptr;
  EXPECT_NE(EVP_PKEY_get_bn_param(pub->native(), "d", &d), 1);
  BN_free(d);
}

}  // namespace
}  // namespace tessera::jose
