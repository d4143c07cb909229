#include "tessera/verify/key_source.hpp"

namespace tessera::verify {

StaticKeySource::StaticKeySource(jose::Jwks jwks)
    : jwks_(std::make_shared<const jose::Jwks>(std::move(jwks))) {}

Result<std::shared_ptr<StaticKeySource>, jose::KeyError> StaticKeySource::from_json(
    std::string_view jwks) {
  auto parsed = jose::parse_jwks(jwks);
  if (!parsed) return fail(parsed.error());
  return std::make_shared<StaticKeySource>(std::move(*parsed));
}

}  // namespace tessera::verify
