// The master key: the one secret from which tessera derives the key that encrypts signing keys at
// rest and the key that hashes client secrets. It never touches the database.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/result.hpp"

namespace tessera::keys {

enum class MasterKeyError {
  malformed,       // not 32 bytes of base64url or hex
  insecure_file,   // key file readable or writable by group or others
  io_error,        // cannot read or create the key file
  random_failure,  // the OS CSPRNG failed
};

std::string_view to_string(MasterKeyError error);

using KeyBytes = std::array<std::uint8_t, 32>;

class MasterKey {
 public:
  // From TESSERA_MASTER_KEY-style text: 32 bytes as base64url (43 chars) or hex (64 chars).
  static Result<MasterKey, MasterKeyError> from_text(std::string_view text);
  // Reads the key file, or creates it (mode 0600, 32 random bytes) when it does not exist.
  // `created` tells the caller whether this start generated a new key.
  static Result<MasterKey, MasterKeyError> load_or_create(const std::filesystem::path& file,
                                                          bool* created = nullptr);

  // HKDF-SHA-256 subkey for one purpose; distinct labels give independent keys.
  KeyBytes derive(std::string_view label) const;

 private:
  explicit MasterKey(const KeyBytes& bytes) : bytes_(bytes) {}
  KeyBytes bytes_;
};

// Fills `out` from the OS CSPRNG (OpenSSL RAND_bytes). False on failure.
bool random_bytes(std::uint8_t* out, std::size_t size);

// AES-256-GCM with a random 96-bit nonce. Sealed form: 0x01 || nonce(12) || ciphertext || tag(16).
// The associated data binds a ciphertext to its owner (a key id), so blobs cannot be swapped.
class Sealer {
 public:
  explicit Sealer(const KeyBytes& key) : key_(key) {}
  std::optional<std::string> seal(std::string_view plaintext, std::string_view aad) const;
  std::optional<std::string> open(std::string_view sealed, std::string_view aad) const;

 private:
  KeyBytes key_;
};

}  // namespace tessera::keys
