#include "unit/jose/openssl_keys.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "tessera/jose/base64url.hpp"

namespace tessera::testing {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Bld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Ctx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using BnCtx = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL test helper failed: ") + what);
}

std::string decode(std::string_view b64) {
  auto bytes = jose::base64url_decode(b64);
  check(bytes.has_value(), "base64url");
  return *bytes;
}

Bn bn(std::string_view b64) {
  const std::string bytes = decode(b64);
  Bn out(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size()), nullptr));
  check(out != nullptr, "BN_bin2bn");
  return out;
}

Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Params params(OSSL_PARAM_BLD_to_param(bld));
  Ctx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  check(params && ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
            EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) == 1,
        "EVP_PKEY_fromdata");
  return Pkey(pkey);
}

std::string to_pem(EVP_PKEY* pkey, const EVP_CIPHER* cipher = nullptr, std::string_view pass = "") {
  Bio bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_PrivateKey(
                   bio.get(), pkey, cipher,
                   reinterpret_cast<unsigned char*>(const_cast<char*>(pass.data())),
                   static_cast<int>(pass.size()), nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

std::string rsa_private_pem(std::string_view n, std::string_view e, std::string_view d,
                            std::string_view p, std::string_view q) {
  Bn bn_n = bn(n), bn_e = bn(e), bn_d = bn(d), bn_p = bn(p), bn_q = bn(q);
  BnCtx ctx(BN_CTX_new());
  Bn p1(BN_new()), q1(BN_new()), dp(BN_new()), dq(BN_new()), qi(BN_new());
  check(BN_sub(p1.get(), bn_p.get(), BN_value_one()) == 1 &&
            BN_sub(q1.get(), bn_q.get(), BN_value_one()) == 1 &&
            BN_mod(dp.get(), bn_d.get(), p1.get(), ctx.get()) == 1 &&
            BN_mod(dq.get(), bn_d.get(), q1.get(), ctx.get()) == 1 &&
            BN_mod_inverse(qi.get(), bn_q.get(), bn_p.get(), ctx.get()) != nullptr,
        "CRT values");
  Bld bld(OSSL_PARAM_BLD_new());
  check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, bn_d.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi.get()) == 1,
        "RSA params");
  return to_pem(from_params("RSA", bld.get()).get());
}

std::string p256_private_pem(std::string_view d, std::string_view x, std::string_view y) {
  Bn bn_d = bn(d);
  const std::string point = "\x04" + decode(x) + decode(y);
  Bld bld(OSSL_PARAM_BLD_new());
  check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, bn_d.get()) == 1 &&
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) == 1,
        "EC params");
  return to_pem(from_params("EC", bld.get()).get());
}

std::string ed25519_private_pem(std::string_view d) {
  const std::string seed = decode(d);
  Pkey pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  check(pkey != nullptr, "Ed25519 raw key");
  return to_pem(pkey.get());
}

std::string generated_pem(std::string_view algorithm, int bits, std::string_view curve) {
  Pkey pkey;
  if (algorithm == "RSA") {
    pkey.reset(EVP_RSA_gen(static_cast<unsigned>(bits)));
  } else if (algorithm == "EC") {
    pkey.reset(EVP_EC_gen(std::string(curve).c_str()));
  } else {
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, std::string(algorithm).c_str()));
  }
  check(pkey != nullptr, "key generation");
  return to_pem(pkey.get());
}

std::string encrypted_pem(std::string_view pem, std::string_view passphrase) {
  Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey pkey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  check(pkey != nullptr, "PEM_read_bio_PrivateKey");
  return to_pem(pkey.get(), EVP_aes_256_cbc(), passphrase);
}

std::string random_modulus_b64(int bits) {
  Bn n(BN_new());
  check(BN_rand(n.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1, "BN_rand");
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(n.get())), '\0');
  BN_bn2bin(n.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return jose::base64url_encode(bytes);
}

std::string rsa_jwk(std::string_view n_b64, std::string_view extra) {
  return std::string(R"({"kty":"RSA","n":")") + std::string(n_b64) + R"(","e":"AQAB")" +
         std::string(extra) + "}";
}

}  // namespace tessera::testing
