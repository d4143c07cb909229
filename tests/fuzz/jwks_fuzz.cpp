// JWKS documents and single JWKs: never crash; every key that imports exports and re-imports.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tessera/jose/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto jwks = tessera::jose::parse_jwks(input)) {
    for (const auto& key : jwks->keys) {
      auto again = tessera::jose::parse_jwk(key.to_jwk_json());
      if (!again || again->thumbprint() != key.thumbprint()) std::abort();
    }
  }
  (void)tessera::jose::parse_jwk(input);
  return 0;
}
