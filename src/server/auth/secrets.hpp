// Client secrets: generation from the OS CSPRNG and keyed hashing. Secrets are 256-bit random
// strings, so a keyed hash (HMAC-SHA-256 under a server-side key) is the right tool: a slow
// password hash adds nothing against guessing a 256-bit value and would turn /oauth/token into a
// CPU sink.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "server/domain/entities.hpp"
#include "server/keys/master_key.hpp"

namespace tessera::auth {

// A recognisable prefix lets secret scanners find leaked tessera secrets.
inline constexpr std::string_view kSecretPrefix = "tessera_";
inline constexpr std::size_t kSecretRandomBytes = 32;
inline constexpr std::size_t kSecretSuffixLength = 4;
// Longest client_secret the token endpoint will even hash.
inline constexpr std::size_t kMaxSecretLength = 256;

using SecretHash = domain::SecretHash;

struct GeneratedSecret {
  std::string plain;   // shown to the caller exactly once
  std::string suffix;  // last 4 characters, safe to display
};

std::optional<GeneratedSecret> generate_secret();

class SecretHasher {
 public:
  explicit SecretHasher(const keys::KeyBytes& key);

  SecretHash hash(std::string_view plain) const;
  // Constant-time comparison of hash(plain) with a stored hash.
  bool matches(std::string_view plain, std::string_view stored_hash) const;

 private:
  keys::KeyBytes key_;
  // HMAC-SHA-256 already keyed, copied for each hash: OpenSSL 3's one-shot HMAC() fetches the
  // algorithm and keys a new context on every call, twice the cost on every token request.
  // Null if OpenSSL could not build it; hash() then falls back to HMAC().
  std::shared_ptr<EVP_MAC_CTX> keyed_;
};

// The HKDF label of the secret-hashing key. Changing it invalidates every stored secret.
inline constexpr std::string_view kSecretHashKeyLabel = "tessera/v1/client-secret-hmac";

}  // namespace tessera::auth
