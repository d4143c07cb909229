// JWS signature creation and verification (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
#include <algorithm>
#include <array>
#include <cstring>

#include <openssl/ecdsa.h>

#include "jose/openssl.hpp"
#include "tessera/jose/keys.hpp"

namespace tessera::jose {
namespace {

constexpr std::size_t kEs256Half = 32;

// Order n of the P-256 group, big-endian.
constexpr std::array<unsigned char, kEs256Half> kP256Order = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

// 1 <= v < n, on a 32-octet big-endian integer (CVE-2022-21449: r = s = 0 must never verify).
bool in_scalar_range(const unsigned char* v) {
  const bool zero = std::all_of(v, v + kEs256Half, [](unsigned char c) { return c == 0; });
  return !zero && std::memcmp(v, kP256Order.data(), kEs256Half) < 0;
}

// Raw R||S (JWS) to the DER ECDSA-Sig-Value OpenSSL verifies.
std::string raw_to_der(std::string_view raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(ossl::bytes(raw), kEs256Half, nullptr);
  BIGNUM* s = BN_bin2bn(ossl::bytes(raw) + kEs256Half, kEs256Half, nullptr);
  std::string der;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    const int len = i2d_ECDSA_SIG(sig, nullptr);
    if (len > 0) {
      der.resize(static_cast<std::size_t>(len));
      auto* p = reinterpret_cast<unsigned char*>(der.data());
      if (i2d_ECDSA_SIG(sig, &p) != len) der.clear();
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool der_to_raw(std::string_view der, std::string& out) {
  const auto* p = ossl::bytes(der);
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return false;
  const std::string r = ossl::bn_to_bytes(ECDSA_SIG_get0_r(sig), kEs256Half);
  const std::string s = ossl::bn_to_bytes(ECDSA_SIG_get0_s(sig), kEs256Half);
  ECDSA_SIG_free(sig);
  if (r.size() != kEs256Half || s.size() != kEs256Half) return false;
  out += r;
  out += s;
  return true;
}

// The digest for EVP_DigestSign/Verify: SHA-256, or none for Ed25519 (pure EdDSA).
const EVP_MD* digest_for(Algorithm alg) {
  return alg == Algorithm::EdDSA ? nullptr : ossl::sha256();
}

// In OpenSSL 3, EVP_DigestVerifyInit looks the signature implementation up in the provider store
// (name lookups under a lock) on every call: a measurable share of an RS256 verify. So each key
// initializes one context up front and verifications start from a copy of it. EVP_MD_CTX_copy_ex
// only reads its source, so copies may be taken from several threads at once.
std::shared_ptr<const EVP_MD_CTX> make_verify_template(EVP_PKEY* pkey, Algorithm alg) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx, nullptr, digest_for(alg), nullptr, pkey) != 1) {
    EVP_MD_CTX_free(ctx);
    return nullptr;
  }
  return std::shared_ptr<const EVP_MD_CTX>(
      ctx, [](const EVP_MD_CTX* c) { EVP_MD_CTX_free(const_cast<EVP_MD_CTX*>(c)); });
}

bool evp_verify(EVP_PKEY* pkey, Algorithm alg, const EVP_MD_CTX* verify_template,
                std::string_view input, std::string_view sig) {
  ossl::Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  const bool copied =
      verify_template != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), verify_template) == 1;
  if (!copied && EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(alg), nullptr, pkey) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), ossl::bytes(sig), sig.size(), ossl::bytes(input),
                          input.size()) == 1;
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm alg, std::string kid)
    : pkey_(std::move(pkey)),
      alg_(alg),
      kid_(std::move(kid)),
      verify_template_(make_verify_template(pkey_.get(), alg_)) {}

int PublicKey::bits() const {
  return EVP_PKEY_get_bits(pkey_.get());
}

bool PublicKey::verify(std::string_view signing_input, std::string_view signature) const {
  switch (alg_) {
    case Algorithm::RS256:
      // PKCS#1 v1.5 signatures are exactly the modulus length.
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey_.get()))) {
        return false;
      }
      return evp_verify(pkey_.get(), alg_, verify_template_.get(), signing_input, signature);
    case Algorithm::ES256: {
      if (signature.size() != 2 * kEs256Half) return false;
      const auto* raw = ossl::bytes(signature);
      if (!in_scalar_range(raw) || !in_scalar_range(raw + kEs256Half)) return false;
      const std::string der = raw_to_der(signature);
      return !der.empty() &&
             evp_verify(pkey_.get(), alg_, verify_template_.get(), signing_input, der);
    }
    case Algorithm::EdDSA:
      if (signature.size() != 64) return false;
      return evp_verify(pkey_.get(), alg_, verify_template_.get(), signing_input, signature);
  }
  return false;
}

namespace {

// Like the verify template: EVP_DigestSignInit fetches the implementation from the provider store
// on every call, which a copy of an initialized context skips.
std::shared_ptr<const EVP_MD_CTX> make_sign_template(EVP_PKEY* pkey, Algorithm alg) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestSignInit(ctx, nullptr, digest_for(alg), nullptr, pkey) != 1) {
    EVP_MD_CTX_free(ctx);
    return nullptr;
  }
  return std::shared_ptr<const EVP_MD_CTX>(
      ctx, [](const EVP_MD_CTX* c) { EVP_MD_CTX_free(const_cast<EVP_MD_CTX*>(c)); });
}

}  // namespace

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> pkey, Algorithm alg)
    : pkey_(std::move(pkey)), alg_(alg), sign_template_(make_sign_template(pkey_.get(), alg_)) {}

bool PrivateKey::sign(std::string_view signing_input, std::string& out) const {
  ossl::Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  const bool copied =
      sign_template_ != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), sign_template_.get()) == 1;
  if (!copied &&
      EVP_DigestSignInit(ctx.get(), nullptr, digest_for(alg_), nullptr, pkey_.get()) != 1) {
    return false;
  }
  // EVP_PKEY_get_size is the largest signature (RSA: exactly the modulus; ECDSA: its DER maximum).
  std::size_t len = static_cast<std::size_t>(EVP_PKEY_get_size(pkey_.get()));
  const auto* in = ossl::bytes(signing_input);
  if (alg_ == Algorithm::ES256) {
    std::string der(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len, in,
                       signing_input.size()) != 1) {
      return false;
    }
    der.resize(len);
    return der_to_raw(der, out);
  }
  // RSA and Ed25519: straight into the token, no intermediate buffer.
  const std::size_t start = out.size();
  out.resize(start + len);
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data() + start), &len, in,
                     signing_input.size()) != 1) {
    out.resize(start);
    return false;
  }
  out.resize(start + len);
  return true;
}

}  // namespace tessera::jose
