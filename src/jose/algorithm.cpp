#include "tessera/jose/algorithm.hpp"

namespace tessera::jose {

std::string_view to_string(Algorithm alg) {
  switch (alg) {
    case Algorithm::RS256:
      return "RS256";
    case Algorithm::ES256:
      return "ES256";
    case Algorithm::EdDSA:
      return "EdDSA";
  }
  return "";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  if (name == "RS256") return Algorithm::RS256;
  if (name == "ES256") return Algorithm::ES256;
  if (name == "EdDSA") return Algorithm::EdDSA;
  return std::nullopt;
}

}  // namespace tessera::jose
