// Public and private signing keys, JWK / JWKS import and export (RFC 7517, 7518, 8037) and the
// RFC 7638 thumbprint. All cryptography goes through OpenSSL 3 EVP.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/jose/algorithm.hpp"
#include "tessera/result.hpp"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace tessera::jose {

enum class KeyError {
  malformed,          // not a JSON object, wrong member types, bad base64url
  unsupported_kty,    // kty other than RSA, EC, OKP
  unsupported_alg,    // alg names an algorithm tessera does not implement
  alg_mismatch,       // alg disagrees with kty / crv
  unsupported_curve,  // EC curve other than P-256, OKP curve other than Ed25519
  not_for_signing,    // use is not "sig", or key_ops lacks "verify"
  weak_key,           // RSA modulus below 2048 bits, or a bad exponent
  oversized_key,      // RSA modulus above 8192 bits (a verification cost attack)
  invalid_key,        // OpenSSL rejects the material (point not on the curve, ...)
  too_many_keys,      // JWKS with more keys than allowed
  crypto_failure,     // key generation or encoding failed inside OpenSSL
};

std::string_view to_string(KeyError error);

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

class PublicKey {
 public:
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm alg, std::string kid);

  Algorithm algorithm() const { return alg_; }
  const std::string& kid() const { return kid_; }
  int bits() const;

  // True only when `signature` is a valid signature of `signing_input` under this key with its own
  // algorithm. ES256 signatures must be exactly 64 octets with 1 <= r, s < n.
  bool verify(std::string_view signing_input, std::string_view signature) const;

  // JWK JSON with public members only: kty, use, alg, kid and the key material.
  std::string to_jwk_json() const;
  // RFC 7638 JWK thumbprint (SHA-256, base64url).
  std::string thumbprint() const;

  EVP_PKEY* native() const { return pkey_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  Algorithm alg_;
  std::string kid_;
  // A verification context initialized once for this key; each verify works on a copy of it.
  std::shared_ptr<const EVP_MD_CTX> verify_template_;
};

// One JWK. The algorithm is derived from kty/crv; an "alg" member, when present, must agree.
Result<PublicKey, KeyError> parse_jwk(std::string_view json);

struct Jwks {
  std::vector<PublicKey> keys;
  // Keys present in the document but unusable (weak, unsupported, inconsistent), as "kid: reason".
  std::vector<std::string> skipped;

  const PublicKey* find(std::string_view kid) const;
};

inline constexpr std::size_t kMaxJwksKeys = 64;
inline constexpr std::size_t kMaxJwksBytes = 256 * 1024;

// A JWKS document. Unusable keys are skipped (and listed), not fatal: one bad key must not take
// the good ones down. A malformed document is an error.
Result<Jwks, KeyError> parse_jwks(std::string_view json);

// {"keys":[...]} of the given keys, public members only.
std::string to_jwks_json(const std::vector<PublicKey>& keys);

class PrivateKey {
 public:
  static Result<PrivateKey, KeyError> generate(Algorithm alg);
  // PKCS#8 PEM, as produced by to_pem(). The algorithm must match the key type.
  static Result<PrivateKey, KeyError> from_pem(std::string_view pem, Algorithm alg);

  Algorithm algorithm() const { return alg_; }
  // Unencrypted PKCS#8 PEM. Callers encrypt it before it leaves memory.
  std::string to_pem() const;
  Result<PublicKey, KeyError> public_key(std::string kid) const;

  // Appends the JWS signature of `signing_input` to `out`. False on an OpenSSL failure.
  bool sign(std::string_view signing_input, std::string& out) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm alg);

  std::shared_ptr<EVP_PKEY> pkey_;
  Algorithm alg_;
  std::shared_ptr<const EVP_MD_CTX> sign_template_;  // initialized once, copied per signature
};

}  // namespace tessera::jose
