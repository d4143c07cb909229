#include "server/auth/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tessera/jose/base64url.hpp"

namespace tessera::auth {

std::optional<GeneratedSecret> generate_secret() {
  std::array<std::uint8_t, kSecretRandomBytes> random{};
  if (!keys::random_bytes(random.data(), random.size())) return std::nullopt;
  GeneratedSecret secret;
  secret.plain =
      std::string(kSecretPrefix) + jose::base64url_encode(std::span<const std::uint8_t>(random));
  secret.suffix = secret.plain.substr(secret.plain.size() - kSecretSuffixLength);
  OPENSSL_cleanse(random.data(), random.size());
  return secret;
}

SecretHash SecretHasher::hash(std::string_view plain) const {
  SecretHash out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), out.data(), &len);
  return out;
}

bool SecretHasher::matches(std::string_view plain, std::string_view stored_hash) const {
  if (stored_hash.size() != sizeof(SecretHash)) return false;
  const SecretHash computed = hash(plain);
  return CRYPTO_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

}  // namespace tessera::auth
