#include "unit/verify/test_support.hpp"

#include <mutex>
#include <stdexcept>

#include "tessera/jose/base64url.hpp"

namespace tessera::testing {
namespace {

constexpr int kRsaPoolSize = 3;

const jose::PrivateKey& pooled_rsa(int index) {
  static std::once_flag once;
  static std::vector<jose::PrivateKey> pool;
  std::call_once(once, [] {
    for (int i = 0; i < kRsaPoolSize; ++i) {
      pool.push_back(*jose::PrivateKey::generate(jose::Algorithm::RS256));
    }
  });
  return pool.at(static_cast<std::size_t>(index % kRsaPoolSize));
}

}  // namespace

TestKey make_key(jose::Algorithm alg, std::string kid, int rsa_pool_index) {
  auto priv =
      alg == jose::Algorithm::RS256 ? pooled_rsa(rsa_pool_index) : *jose::PrivateKey::generate(alg);
  auto pub = priv.public_key(kid);
  if (!pub) throw std::runtime_error("public key");
  return TestKey{std::move(priv), std::move(*pub), std::move(kid)};
}

std::string jwks_json(const std::vector<const TestKey*>& keys) {
  std::vector<jose::PublicKey> pubs;
  for (const TestKey* key : keys)
    pubs.push_back(key->pub);
  return jose::to_jwks_json(pubs);
}

std::shared_ptr<verify::StaticKeySource> static_keys(const std::vector<const TestKey*>& keys) {
  auto source = verify::StaticKeySource::from_json(jwks_json(keys));
  if (!source) throw std::runtime_error("static keys");
  return *source;
}

std::string b64(std::string_view bytes) {
  return jose::base64url_encode(bytes);
}

std::string mint_raw(const TestKey& key, std::string_view header_json,
                     std::string_view payload_json) {
  std::string token = b64(header_json) + "." + b64(payload_json);
  std::string signature;
  if (!key.priv.sign(token, signature)) throw std::runtime_error("sign");
  return token + "." + b64(signature);
}

std::string header_for(const TestKey& key, std::string_view typ) {
  return nlohmann::json{
      {"alg", jose::to_string(key.priv.algorithm())}, {"kid", key.kid}, {"typ", typ}}
      .dump();
}

std::string mint(const TestKey& key, const nlohmann::json& claims) {
  return mint_raw(key, header_for(key), claims.dump());
}

nlohmann::json seed_claims() {
  return {{"client_id", "m2morg_69038819013296423"},
          {"exp", kNow + 3600},
          {"iat", kNow},
          {"iss", kIssuer},
          {"jti", "tkn_69041163914445100"},
          {"nbf", kNow},
          {"oid", "org_59615193906282635"},
          {"scopes", {"deploy:applications", "read:deployments"}},
          {"sub", "m2morg_69038819013296423"}};
}

std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

verify::VerifierOptions options_for(std::shared_ptr<verify::KeySource> keys) {
  return {.issuer = std::string(kIssuer), .key_source = std::move(keys), .clock = [] {
            return at(kNow);
          }};
}

verify::Verifier make_verifier(std::shared_ptr<verify::KeySource> keys) {
  auto verifier = verify::Verifier::create(options_for(std::move(keys)));
  if (!verifier) throw std::runtime_error("verifier");
  return std::move(*verifier);
}

}  // namespace tessera::testing
