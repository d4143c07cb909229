// RS256 access-token verification: the SDK Verifier (parse, header policy, key lookup, signature,
// claims) against a bare OpenSSL EVP verify of the very same signature, in one run.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_SERVER=OFF
//         -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_EXAMPLES=OFF
//   cmake --build build-bench --target verify_bench
//   taskset -c 1 build-bench/bench/verify_bench --benchmark_repetitions=5
//
// BM_SdkVersusOpenSsl interleaves the variants per iteration and times each on the thread's CPU
// clock, so that load from elsewhere on the machine skews none of them; its `ratio` counter is
// SDK rate / bare OpenSSL rate. BM_SdkVersusCache does the same for the verified-token cache
// (VerifierOptions::token_cache_entries): `cached_ratio` is cached rate / uncached rate.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <time.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "tessera/jose/base64url.hpp"
#include "tessera/jose/jws.hpp"
#include "tessera/verify/verifier.hpp"

namespace {

using tessera::jose::Algorithm;
using tessera::jose::PrivateKey;

constexpr const char* kIssuer = "https://auth.example.com";

// A token like the ones tessera issues to the guide's API client, a JWKS of two keys (the usual
// state during rotation), and the raw pieces the bare OpenSSL loop needs.
struct Setup {
  std::string token;
  std::string signing_input;
  std::string signature;
  EVP_PKEY* public_key = nullptr;
  const EVP_MD* sha256 = nullptr;
  EVP_MD_CTX* verify_template = nullptr;
  std::optional<tessera::verify::Verifier> verifier;
  std::optional<tessera::verify::Verifier> cached_verifier;  // with a verified-token cache

  Setup() {
    const auto signing_key = *PrivateKey::generate(Algorithm::RS256);
    const auto other_key = *PrivateKey::generate(Algorithm::RS256);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const nlohmann::json claims = {{"iss", kIssuer},
                                   {"sub", "m2morg_69038819013296423"},
                                   {"client_id", "m2morg_69038819013296423"},
                                   {"oid", "org_59615193906282635"},
                                   {"scopes", {"deploy:applications", "read:deployments"}},
                                   {"scope", "deploy:applications read:deployments"},
                                   {"iat", now},
                                   {"nbf", now},
                                   {"exp", now + 3600},
                                   {"jti", "tkn_69041163914445100"}};
    const tessera::jose::JwsSigner signer(signing_key, "snk_69041163914445100");
    if (!signer.sign(claims.dump(), token)) throw std::runtime_error("sign");

    auto jwks = tessera::jose::Jwks{};
    jwks.keys.push_back(*other_key.public_key("snk_69041163914445099"));
    jwks.keys.push_back(*signing_key.public_key("snk_69041163914445100"));
    public_key = jwks.keys.back().native();
    auto keys = std::make_shared<tessera::verify::StaticKeySource>(std::move(jwks));
    auto verifier_or = tessera::verify::Verifier::create({.issuer = kIssuer, .key_source = keys});
    verifier.emplace(std::move(*verifier_or));
    if (!verifier->verify(token).ok()) throw std::runtime_error("setup token does not verify");
    auto cached_or = tessera::verify::Verifier::create(
        {.issuer = kIssuer, .key_source = keys, .token_cache_entries = 10000});
    cached_verifier.emplace(std::move(*cached_or));

    const auto dot = token.rfind('.');
    signing_input = token.substr(0, dot);
    signature = *tessera::jose::base64url_decode(token.substr(dot + 1));
    sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    verify_template = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(verify_template, nullptr, sha256, nullptr, public_key) != 1) {
      throw std::runtime_error("EVP_DigestVerifyInit");
    }
  }
};

const Setup& setup() {
  static const Setup instance;
  return instance;
}

// What any RS256 verifier must at least do: one EVP digest-verify, with SHA-256 fetched once.
bool bare_openssl_verify(const Setup& s) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, s.sha256, nullptr, s.public_key) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(s.signature.data()),
                                   s.signature.size(),
                                   reinterpret_cast<const unsigned char*>(s.signing_input.data()),
                                   s.signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The same, starting from a copy of a context initialized once per key, which skips the provider
// lookup of EVP_DigestVerifyInit. The SDK does this too; this baseline shows what the SDK's own
// parsing and checks cost on top of the cheapest OpenSSL route.
bool bare_openssl_verify_reused_context(const Setup& s) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_MD_CTX_copy_ex(ctx, s.verify_template) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(s.signature.data()),
                                   s.signature.size(),
                                   reinterpret_cast<const unsigned char*>(s.signing_input.data()),
                                   s.signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool sdk_verify(const Setup& s) {
  return s.verifier->verify(s.token).ok();
}

// A token the cache has seen: what an API pays when a client reuses its token (the first call of
// the process verifies it in full and fills the cache).
bool sdk_verify_cached(const Setup& s) {
  return s.cached_verifier->verify(s.token).ok();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void rate_counter(benchmark::State& state) {
  state.counters["verifies_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_OpenSslRs256Verify(benchmark::State& state) {
  const Setup& s = setup();
  for (auto _ : state) {
    if (!bare_openssl_verify(s)) state.SkipWithError("verify failed");
  }
  rate_counter(state);
}
BENCHMARK(BM_OpenSslRs256Verify);

void BM_OpenSslRs256VerifyReusedContext(benchmark::State& state) {
  const Setup& s = setup();
  for (auto _ : state) {
    if (!bare_openssl_verify_reused_context(s)) state.SkipWithError("verify failed");
  }
  rate_counter(state);
}
BENCHMARK(BM_OpenSslRs256VerifyReusedContext);

void BM_SdkRs256Verify(benchmark::State& state) {
  const Setup& s = setup();
  for (auto _ : state) {
    if (!sdk_verify(s)) state.SkipWithError("verify failed");
  }
  rate_counter(state);
}
BENCHMARK(BM_SdkRs256Verify);

void BM_SdkRs256VerifyCached(benchmark::State& state) {
  const Setup& s = setup();
  for (auto _ : state) {
    if (!sdk_verify_cached(s)) state.SkipWithError("verify failed");
  }
  rate_counter(state);
}
BENCHMARK(BM_SdkRs256VerifyCached);

// All three per iteration, timed with the thread's CPU clock so that time the scheduler gives to
// other processes on a shared machine counts for none of them.
void BM_SdkVersusOpenSsl(benchmark::State& state) {
  const Setup& s = setup();
  double sdk = 0, bare = 0, reused = 0;
  for (auto _ : state) {
    const double t0 = thread_cpu_seconds();
    const bool a = sdk_verify(s);
    const double t1 = thread_cpu_seconds();
    const bool b = bare_openssl_verify(s);
    const double t2 = thread_cpu_seconds();
    const bool c = bare_openssl_verify_reused_context(s);
    const double t3 = thread_cpu_seconds();
    if (!a || !b || !c) state.SkipWithError("verify failed");
    sdk += t1 - t0;
    bare += t2 - t1;
    reused += t3 - t2;
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["sdk_per_s"] = n / sdk;
  state.counters["openssl_per_s"] = n / bare;
  state.counters["openssl_reused_ctx_per_s"] = n / reused;
  state.counters["ratio"] = bare / sdk;  // SDK rate / bare OpenSSL rate
  state.counters["ratio_vs_reused_ctx"] = reused / sdk;
  state.counters["sdk_extra_us_vs_reused_ctx"] = (sdk - reused) / n * 1e6;
}
BENCHMARK(BM_SdkVersusOpenSsl);

// The verified-token cache against the uncached SDK path and the bare OpenSSL verify, interleaved
// and on the thread's CPU clock like BM_SdkVersusOpenSsl. A cached verify takes about as long as
// reading that clock, so each iteration times a batch of kCachedBatch of them.
void BM_SdkVersusCache(benchmark::State& state) {
  constexpr int kCachedBatch = 32;
  const Setup& s = setup();
  double uncached = 0, bare = 0, cached = 0;
  for (auto _ : state) {
    const double t0 = thread_cpu_seconds();
    const bool a = sdk_verify(s);
    const double t1 = thread_cpu_seconds();
    const bool b = bare_openssl_verify(s);
    const double t2 = thread_cpu_seconds();
    bool c = true;
    for (int i = 0; i < kCachedBatch; ++i)
      c = sdk_verify_cached(s) && c;
    const double t3 = thread_cpu_seconds();
    if (!a || !b || !c) state.SkipWithError("verify failed");
    uncached += t1 - t0;
    bare += t2 - t1;
    cached += t3 - t2;
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["uncached_per_s"] = n / uncached;
  state.counters["openssl_per_s"] = n / bare;
  state.counters["cached_per_s"] = n * kCachedBatch / cached;
  state.counters["cached_ratio"] = (n * kCachedBatch / cached) / (n / uncached);
  state.counters["uncached_ratio_vs_openssl"] = bare / uncached;
  state.counters["cached_us"] = cached / (n * kCachedBatch) * 1e6;
}
BENCHMARK(BM_SdkVersusCache);

}  // namespace

BENCHMARK_MAIN();
