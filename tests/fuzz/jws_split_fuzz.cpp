// Compact JWS splitting and strict base64url: never crash, and decoding agrees with encoding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/jws.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto parts = tessera::jose::split_compact(input)) {
    for (const auto segment : {parts->header_b64, parts->payload_b64, parts->signature_b64}) {
      std::string decoded;
      // Only canonical spellings decode, so re-encoding must give back the very same text.
      if (tessera::jose::base64url_decode(segment, decoded) &&
          tessera::jose::base64url_encode(decoded) != segment) {
        std::abort();
      }
    }
  }
  std::string decoded;
  if (tessera::jose::base64url_decode(input, decoded) &&
      tessera::jose::base64url_encode(decoded) != input) {
    std::abort();
  }
  return 0;
}
