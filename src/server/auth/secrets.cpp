#include "server/auth/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

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

namespace {

std::shared_ptr<EVP_MAC_CTX> keyed_hmac(const keys::KeyBytes& key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return nullptr;
  std::shared_ptr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac), EVP_MAC_CTX_free);
  EVP_MAC_free(mac);  // the context holds its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return nullptr;
  return ctx;
}

}  // namespace

SecretHasher::SecretHasher(const keys::KeyBytes& key) : key_(key), keyed_(keyed_hmac(key)) {}

SecretHash SecretHasher::hash(std::string_view plain) const {
  SecretHash out{};
  const auto* data = reinterpret_cast<const unsigned char*>(plain.data());
  if (keyed_) {
    // Duplicating only reads the template, so threads share it without a lock.
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_.get()),
                                                                  EVP_MAC_CTX_free);
    std::size_t len = 0;
    if (ctx && EVP_MAC_update(ctx.get(), data, plain.size()) == 1 &&
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1 && len == out.size()) {
      return out;
    }
  }
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), data, plain.size(), out.data(),
       &len);
  return out;
}

bool SecretHasher::matches(std::string_view plain, std::string_view stored_hash) const {
  if (stored_hash.size() != sizeof(SecretHash)) return false;
  const SecretHash computed = hash(plain);
  return CRYPTO_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

}  // namespace tessera::auth
