// Signing key generation and PKCS#8 PEM round trips.
#include <climits>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "jose/openssl.hpp"
#include "tessera/jose/keys.hpp"

namespace tessera::jose {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

EVP_PKEY* generate_native(Algorithm alg) {
  switch (alg) {
    case Algorithm::RS256:
      return EVP_RSA_gen(2048);
    case Algorithm::ES256:
      return EVP_EC_gen("P-256");
    case Algorithm::EdDSA:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  return nullptr;
}

// secp256k1 is also a 256-bit EC key; only the group name tells P-256 apart.
bool is_p256(EVP_PKEY* pkey) {
  char group[64] = {};
  std::size_t len = 0;
  return EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

bool type_matches(EVP_PKEY* pkey, Algorithm alg) {
  switch (alg) {
    case Algorithm::RS256:
      return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= kMinRsaBits &&
             EVP_PKEY_get_bits(pkey) <= kMaxRsaBits;
    case Algorithm::ES256:
      return EVP_PKEY_is_a(pkey, "EC") && is_p256(pkey);
    case Algorithm::EdDSA:
      return EVP_PKEY_is_a(pkey, "ED25519");
  }
  return false;
}

// Without a callback OpenSSL asks for the passphrase of an encrypted PEM on the controlling
// terminal, which would hang a server. tessera's PEMs are never passphrase-protected.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

Result<PrivateKey, KeyError> PrivateKey::generate(Algorithm alg) {
  EVP_PKEY* pkey = generate_native(alg);
  if (pkey == nullptr) return fail(KeyError::crypto_failure);
  return PrivateKey(ossl::share(pkey), alg);
}

Result<PrivateKey, KeyError> PrivateKey::from_pem(std::string_view pem, Algorithm alg) {
  if (pem.size() > INT_MAX) return fail(KeyError::malformed);
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(KeyError::crypto_failure);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (pkey == nullptr) return fail(KeyError::malformed);
  auto shared = ossl::share(pkey);
  if (!type_matches(pkey, alg)) return fail(KeyError::alg_mismatch);
  return PrivateKey(std::move(shared), alg);
}

std::string PrivateKey::to_pem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(len));
  return pem;
}

Result<PublicKey, KeyError> PrivateKey::public_key(std::string kid) const {
  // A public-only copy, so that no code holding a PublicKey can ever reach the private half.
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey_.get(), &der);
  const unsigned char* p = der;
  EVP_PKEY* pub = len > 0 ? d2i_PUBKEY(nullptr, &p, len) : nullptr;
  OPENSSL_free(der);
  if (pub == nullptr) return fail(KeyError::crypto_failure);
  return PublicKey(ossl::share(pub), alg_, std::move(kid));
}

}  // namespace tessera::jose
