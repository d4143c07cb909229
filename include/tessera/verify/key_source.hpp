// Where a Verifier gets its public keys. The SDK ships a static source and a caching JWKS fetcher
// (jwks_cache.hpp); the tessera server implements one over its in-memory key ring.
#pragma once

#include <memory>
#include <string_view>

#include "tessera/jose/keys.hpp"
#include "tessera/result.hpp"

namespace tessera::verify {

// Implementations must be thread-safe: one Verifier serves every request thread. The returned set
// is an immutable snapshot, so no lock is held while a signature is checked against it.
class KeySource {
 public:
  virtual ~KeySource() = default;

  // The current keys; nullptr or an empty set when none are available (verification fails closed).
  virtual std::shared_ptr<const jose::Jwks> keys() = 0;

  // Called when a token names a kid that keys() lacks. A source that can refresh may do so here,
  // and is responsible for rate-limiting it; a source that cannot returns keys().
  virtual std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() = 0;
};

// A fixed key set, e.g. a JWKS shipped with the configuration.
class StaticKeySource final : public KeySource {
 public:
  explicit StaticKeySource(jose::Jwks jwks);
  // Parses a JWKS document; unusable keys are skipped as parse_jwks() describes.
  static Result<std::shared_ptr<StaticKeySource>, jose::KeyError> from_json(std::string_view jwks);

  std::shared_ptr<const jose::Jwks> keys() override { return jwks_; }
  std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override { return jwks_; }

 private:
  std::shared_ptr<const jose::Jwks> jwks_;
};

}  // namespace tessera::verify
