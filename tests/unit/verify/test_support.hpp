// Shared helpers for the SDK verification tests: signing keys, raw token minting (so that tests
// can sign any header and payload, well-formed or not) and seed-like claims.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/jose/keys.hpp"
#include "tessera/verify/key_source.hpp"
#include "tessera/verify/verifier.hpp"

namespace tessera::testing {

inline constexpr std::string_view kIssuer = "https://auth.example.com";
// A fixed "now" for deterministic time checks: 2025-04-21T06:22:20Z, the seed's iat.
inline constexpr std::int64_t kNow = 1745218940;

struct TestKey {
  jose::PrivateKey priv;
  jose::PublicKey pub;
  std::string kid;
};

// A new key pair. RSA keys are drawn from a small pool generated once per process (RSA key
// generation is slow, especially under sanitizers); the pool index picks which one.
TestKey make_key(jose::Algorithm alg, std::string kid, int rsa_pool_index = 0);

std::string jwks_json(const std::vector<const TestKey*>& keys);
std::shared_ptr<verify::StaticKeySource> static_keys(const std::vector<const TestKey*>& keys);

std::string b64(std::string_view bytes);

// header_b64 '.' payload_b64 '.' signature, signed by `key` over exactly these bytes.
std::string mint_raw(const TestKey& key, std::string_view header_json,
                     std::string_view payload_json);
// The usual header: {"alg":<key's alg>,"kid":<kid>,"typ":"at+jwt"}.
std::string header_for(const TestKey& key, std::string_view typ = "at+jwt");
std::string mint(const TestKey& key, const nlohmann::json& claims);

// Claims like the seed's decoded access token, valid at kNow for an hour.
nlohmann::json seed_claims();

std::chrono::system_clock::time_point at(std::int64_t unix_seconds);

// Verifier options for kIssuer with a clock fixed at kNow.
verify::VerifierOptions options_for(std::shared_ptr<verify::KeySource> keys);
verify::Verifier make_verifier(std::shared_ptr<verify::KeySource> keys);

}  // namespace tessera::testing
