// JOSE header parsing and the strict JSON parser under it.
#include <cstdint>
#include <string>

#include "jose/strict_json.hpp"
#include "tessera/jose/jws.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)tessera::jose::parse_header(input);
  nlohmann::json doc;
  (void)tessera::json::parse_strict(input, doc, {.max_bytes = 64 * 1024, .max_depth = 16});
  return 0;
}
