#include "server/keys/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "tessera/jose/base64url.hpp"

namespace tessera::keys {
namespace {

constexpr std::uint8_t kSealVersion = 1;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

std::optional<KeyBytes> decode_hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  KeyBytes out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned value = 0;
    for (char c : text.substr(2 * i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        return std::nullopt;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return out;
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

Result<MasterKey, MasterKeyError> create_key_file(const std::filesystem::path& file) {
  KeyBytes bytes{};
  if (!random_bytes(bytes.data(), bytes.size())) return fail(MasterKeyError::random_failure);
  const std::string text = jose::base64url_encode(std::span<const std::uint8_t>(bytes)) + "\n";
  // O_EXCL: two processes starting at once must not both create (and disagree on) the key.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(MasterKeyError::io_error);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    std::filesystem::remove(file);
    return fail(MasterKeyError::io_error);
  }
  return MasterKey::from_text(text);
}

}  // namespace

std::string_view to_string(MasterKeyError error) {
  switch (error) {
    case MasterKeyError::malformed:
      return "master key must be 32 bytes, as 43 base64url or 64 hex characters";
    case MasterKeyError::insecure_file:
      return "master key file must not be accessible by group or others (chmod 600)";
    case MasterKeyError::io_error:
      return "cannot read or create the master key file";
    case MasterKeyError::random_failure:
      return "the system random number generator failed";
  }
  return "master key error";
}

bool random_bytes(std::uint8_t* out, std::size_t size) {
  return RAND_bytes(out, static_cast<int>(size)) == 1;
}

Result<MasterKey, MasterKeyError> MasterKey::from_text(std::string_view raw) {
  const std::string text = trim(raw);
  if (auto hex = decode_hex(text)) return MasterKey(*hex);
  std::string decoded;
  if (text.size() != 43 || !jose::base64url_decode(text, decoded) || decoded.size() != 32) {
    return fail(MasterKeyError::malformed);
  }
  KeyBytes bytes{};
  std::memcpy(bytes.data(), decoded.data(), bytes.size());
  return MasterKey(bytes);
}

Result<MasterKey, MasterKeyError> MasterKey::load_or_create(const std::filesystem::path& file,
                                                            bool* created) {
  if (created != nullptr) *created = false;
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    if (errno != ENOENT) return fail(MasterKeyError::io_error);
    auto key = create_key_file(file);
    if (key && created != nullptr) *created = true;
    return key;
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) return fail(MasterKeyError::insecure_file);
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return fail(MasterKeyError::io_error);
  return from_text(text);
}

KeyBytes MasterKey::derive(std::string_view label) const {
  KeyBytes out{};
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                        EVP_KDF_free);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                EVP_KDF_CTX_free);
  char digest[] = "SHA256";
  std::string info(label);
  KeyBytes ikm = bytes_;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.data(), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    // HKDF-SHA-256 is always available in OpenSSL 3's default provider; failing here means the
    // crypto library is broken and no key can be trusted.
    std::abort();
  }
  return out;
}

std::optional<std::string> Sealer::seal(std::string_view plaintext, std::string_view aad) const {
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  buf[0] = kSealVersion;
  unsigned char* nonce = buf + 1;
  unsigned char* cipher = nonce + kNonceBytes;
  if (!random_bytes(nonce, kNonceBytes)) return std::nullopt;

  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) !=
          1) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Sealer::open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes ||
      static_cast<std::uint8_t>(sealed[0]) != kSealVersion) {
    return std::nullopt;
  }
  const auto* buf = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* nonce = buf + 1;
  const unsigned char* cipher = nonce + kNonceBytes;
  const std::size_t cipher_len = sealed.size() - 1 - kNonceBytes - kTagBytes;
  std::string plain(cipher_len, '\0');
  KeyBytes tag_copy{};
  std::memcpy(tag_copy.data(), cipher + cipher_len, kTagBytes);

  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, cipher,
                        static_cast<int>(cipher_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag_copy.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
          1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace tessera::keys
