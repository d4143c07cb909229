// JWK / JWKS import and export (RFC 7517, RFC 7518 §6, RFC 8037 §2) and thumbprints (RFC 7638).
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "jose/openssl.hpp"
#include "jose/strict_json.hpp"
#include "tessera/jose/base64url.hpp"
#include "tessera/jose/keys.hpp"

namespace tessera::jose {
namespace {

using nlohmann::json;
using KeyResult = Result<PublicKey, KeyError>;

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

// A required base64url string member, decoded. Empty optional when missing or malformed.
std::optional<std::string> b64_member(const json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return base64url_decode(it->get_ref<const std::string&>());
}

std::shared_ptr<EVP_PKEY> pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamBldFree> params(OSSL_PARAM_BLD_to_param(bld));
  ossl::Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return ossl::share(pkey);
}

Result<std::shared_ptr<EVP_PKEY>, KeyError> import_rsa(const json& jwk) {
  const auto n = b64_member(jwk, "n");
  const auto e = b64_member(jwk, "e");
  if (!n || !e || n->empty() || e->empty() || e->size() > 8) return fail(KeyError::malformed);
  ossl::Owned<BIGNUM> bn_n(BN_bin2bn(ossl::bytes(*n), static_cast<int>(n->size()), nullptr));
  ossl::Owned<BIGNUM> bn_e(BN_bin2bn(ossl::bytes(*e), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return fail(KeyError::crypto_failure);
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits) return fail(KeyError::weak_key);
  if (bits > kMaxRsaBits) return fail(KeyError::oversized_key);
  // An even or unit public exponent is never legitimate.
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return fail(KeyError::weak_key);

  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return fail(KeyError::crypto_failure);
  }
  auto pkey = pkey_from_params("RSA", bld.get());
  if (!pkey) return fail(KeyError::invalid_key);
  return pkey;
}

Result<std::shared_ptr<EVP_PKEY>, KeyError> import_ec(const json& jwk) {
  const auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string()) return fail(KeyError::malformed);
  if (*crv != "P-256") return fail(KeyError::unsupported_curve);
  const auto x = b64_member(jwk, "x");
  const auto y = b64_member(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return fail(KeyError::malformed);
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point

  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return fail(KeyError::crypto_failure);
  }
  auto pkey = pkey_from_params("EC", bld.get());
  if (!pkey) return fail(KeyError::invalid_key);
  // Reject points off the curve or at infinity before any signature is checked against them.
  ossl::Owned<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return fail(KeyError::invalid_key);
  return pkey;
}

Result<std::shared_ptr<EVP_PKEY>, KeyError> import_okp(const json& jwk) {
  const auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string()) return fail(KeyError::malformed);
  if (*crv != "Ed25519") return fail(KeyError::unsupported_curve);
  const auto x = b64_member(jwk, "x");
  if (!x || x->size() != 32) return fail(KeyError::malformed);
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, ossl::bytes(*x), x->size());
  if (pkey == nullptr) return fail(KeyError::invalid_key);
  return ossl::share(pkey);
}

// "use" must be "sig" and "key_ops" must allow "verify", when present.
bool usable_for_verification(const json& jwk) {
  if (const auto use = jwk.find("use"); use != jwk.end()) {
    if (!use->is_string() || *use != "sig") return false;
  }
  if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    if (!ops->is_array()) return false;
    bool verify = false;
    for (const auto& op : *ops) {
      if (!op.is_string()) return false;
      verify = verify || op == "verify";
    }
    return verify;
  }
  return true;
}

KeyResult import_jwk(const json& jwk) {
  if (!jwk.is_object()) return fail(KeyError::malformed);
  const auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return fail(KeyError::malformed);
  const auto kid = jwk.find("kid");
  if (kid != jwk.end() && !kid->is_string()) return fail(KeyError::malformed);
  if (!usable_for_verification(jwk)) return fail(KeyError::not_for_signing);

  Algorithm alg;
  Result<std::shared_ptr<EVP_PKEY>, KeyError> pkey = fail(KeyError::unsupported_kty);
  if (*kty == "RSA") {
    alg = Algorithm::RS256;
    pkey = import_rsa(jwk);
  } else if (*kty == "EC") {
    alg = Algorithm::ES256;
    pkey = import_ec(jwk);
  } else if (*kty == "OKP") {
    alg = Algorithm::EdDSA;
    pkey = import_okp(jwk);
  } else {
    return fail(KeyError::unsupported_kty);
  }
  if (!pkey) return fail(pkey.error());

  if (const auto a = jwk.find("alg"); a != jwk.end()) {
    if (!a->is_string()) return fail(KeyError::malformed);
    const auto named = parse_algorithm(a->get_ref<const std::string&>());
    if (!named) return fail(KeyError::unsupported_alg);
    if (*named != alg) return fail(KeyError::alg_mismatch);
  }
  return PublicKey(std::move(*pkey), alg, kid == jwk.end() ? "" : kid->get<std::string>());
}

std::string bn_param_b64(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  ossl::Owned<BIGNUM> owned(bn);
  return base64url_encode(ossl::bn_to_bytes(bn));
}

// The required public members of a JWK, in RFC 7638 order (lexicographic).
json required_members(const PublicKey& key) {
  EVP_PKEY* pkey = key.native();
  switch (key.algorithm()) {
    case Algorithm::RS256:
      return {{"e", bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_E)},
              {"kty", "RSA"},
              {"n", bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_N)}};
    case Algorithm::ES256: {
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x);
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
      ossl::Owned<BIGNUM> ox(x), oy(y);
      return {{"crv", "P-256"},
              {"kty", "EC"},
              {"x", base64url_encode(ossl::bn_to_bytes(x, 32))},
              {"y", base64url_encode(ossl::bn_to_bytes(y, 32))}};
    }
    case Algorithm::EdDSA: {
      std::string raw(32, '\0');
      std::size_t len = raw.size();
      EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &len);
      raw.resize(len);
      return {{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", base64url_encode(raw)}};
    }
  }
  return json::object();
}

json jwk_object(const PublicKey& key) {
  json jwk = required_members(key);
  jwk["use"] = "sig";
  jwk["alg"] = to_string(key.algorithm());
  if (!key.kid().empty()) jwk["kid"] = key.kid();
  return jwk;
}

}  // namespace

std::string_view to_string(KeyError error) {
  switch (error) {
    case KeyError::malformed:
      return "malformed JWK";
    case KeyError::unsupported_kty:
      return "unsupported key type";
    case KeyError::unsupported_alg:
      return "unsupported algorithm";
    case KeyError::alg_mismatch:
      return "alg does not match the key type";
    case KeyError::unsupported_curve:
      return "unsupported curve";
    case KeyError::not_for_signing:
      return "key not usable for signature verification";
    case KeyError::weak_key:
      return "key too weak";
    case KeyError::oversized_key:
      return "key too large";
    case KeyError::invalid_key:
      return "invalid key material";
    case KeyError::too_many_keys:
      return "too many keys";
    case KeyError::crypto_failure:
      return "cryptographic library failure";
  }
  return "key error";
}

std::string PublicKey::to_jwk_json() const {
  return jwk_object(*this).dump();
}

std::string PublicKey::thumbprint() const {
  // nlohmann's default object is a std::map, so dump() yields the lexicographic member order and
  // no whitespace that RFC 7638 §3.3 requires.
  const std::string canonical = required_members(*this).dump();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(ossl::bytes(canonical), canonical.size(), digest);
  return base64url_encode(std::span<const std::uint8_t>(digest, sizeof digest));
}

Result<PublicKey, KeyError> parse_jwk(std::string_view text) {
  json doc;
  if (tessera::json::parse_strict(text, doc, {.max_bytes = 16 * 1024, .max_depth = 4})) {
    return fail(KeyError::malformed);
  }
  return import_jwk(doc);
}

const PublicKey* Jwks::find(std::string_view kid) const {
  for (const auto& key : keys) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

Result<Jwks, KeyError> parse_jwks(std::string_view text) {
  json doc;
  if (tessera::json::parse_strict(text, doc, {.max_bytes = kMaxJwksBytes, .max_depth = 8})) {
    return fail(KeyError::malformed);
  }
  if (!doc.is_object()) return fail(KeyError::malformed);
  const auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return fail(KeyError::malformed);
  if (keys->size() > kMaxJwksKeys) return fail(KeyError::too_many_keys);

  Jwks jwks;
  for (const auto& entry : *keys) {
    auto key = import_jwk(entry);
    const std::string kid =
        entry.is_object() && entry.contains("kid") && entry["kid"].is_string() ? entry["kid"] : "";
    if (!key) {
      jwks.skipped.push_back(kid + ": " + std::string(to_string(key.error())));
    } else if (kid.empty() || jwks.find(kid) != nullptr) {
      // A key without a kid, or a second key with the same kid, would make lookup ambiguous.
      jwks.skipped.push_back(kid + ": missing or duplicate kid");
    } else {
      jwks.keys.push_back(std::move(*key));
    }
  }
  return jwks;
}

std::string to_jwks_json(const std::vector<PublicKey>& keys) {
  json doc = {{"keys", json::array()}};
  for (const auto& key : keys)
    doc["keys"].push_back(jwk_object(key));
  return doc.dump();
}

}  // namespace tessera::jose
