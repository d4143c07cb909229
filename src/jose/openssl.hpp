// RAII owners and shared lookups for the OpenSSL objects the JOSE core uses.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/evp.h>

namespace tessera::jose::ossl {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

inline std::shared_ptr<EVP_PKEY> share(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

// SHA-256 fetched once: implicit fetching on every EVP_DigestSign/VerifyInit is measurable in
// OpenSSL 3 on the verification hot path.
const EVP_MD* sha256();

inline const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Big-endian, zero-padded to `width` octets (0 = minimal length).
std::string bn_to_bytes(const BIGNUM* bn, int width = 0);

}  // namespace tessera::jose::ossl
