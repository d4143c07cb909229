#include "jose/openssl.hpp"

namespace tessera::jose::ossl {

const EVP_MD* sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

std::string bn_to_bytes(const BIGNUM* bn, int width) {
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  if (size > 0 && BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size) < 0) {
    out.clear();
  }
  return out;
}

}  // namespace tessera::jose::ossl
