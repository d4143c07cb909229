// Test-only key builders that talk to OpenSSL directly, independent of tessera's PrivateKey and
// JWK import, so that RFC keys can be loaded and odd keys (weak, oversized, wrong curve) made.
#pragma once

#include <string>
#include <string_view>

namespace tessera::testing {

// PKCS#8 PEM of an RSA private key given as JWK members (base64url); CRT values are derived.
std::string rsa_private_pem(std::string_view n, std::string_view e, std::string_view d,
                            std::string_view p, std::string_view q);
// PKCS#8 PEM of a P-256 private key given as JWK members (base64url).
std::string p256_private_pem(std::string_view d, std::string_view x, std::string_view y);
// PKCS#8 PEM of an Ed25519 private key given its 32-octet seed (base64url).
std::string ed25519_private_pem(std::string_view d);

// A freshly generated private key of another kind, as PKCS#8 PEM.
std::string generated_pem(std::string_view algorithm, int bits_or_zero = 0,
                          std::string_view curve = "");
// The same PEM, encrypted with a passphrase (AES-256-CBC).
std::string encrypted_pem(std::string_view pem, std::string_view passphrase);

// base64url of a random odd integer of exactly `bits` bits: an RSA "modulus" for size checks.
std::string random_modulus_b64(int bits);

// {"kty":"RSA","n":...,"e":"AQAB"} plus `extra` members (a JSON fragment starting with ',').
std::string rsa_jwk(std::string_view n_b64, std::string_view extra = "");

}  // namespace tessera::testing
