// A KeySource that fetches a JWKS over HTTPS (libcurl) and caches it.
//
// - TTL from the response's Cache-Control max-age, clamped to [min_ttl, max_ttl]; default_ttl when
//   the header is absent. While a refresh is in flight, other callers keep using the cached keys.
// - An unknown kid triggers a refresh, but fetches (of any kind) start at most once per
//   refresh_cooldown, and concurrent callers share one fetch: a flood of random kids costs at most
//   one request per cool-down.
// - A failed fetch (transport, status, size, garbage, no usable keys) keeps the last good keys;
// with
//   none at all, keys() returns nullptr and verification fails closed.
// - No redirects are followed, responses above max_response_bytes are cut off, and plain http:// is
//   refused unless allow_http is set (for local development and tests).
// Fetches run synchronously on the calling thread, bounded by the timeouts below.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "tessera/jose/keys.hpp"
#include "tessera/result.hpp"
#include "tessera/verify/errors.hpp"
#include "tessera/verify/key_source.hpp"

namespace tessera::verify {

// Every member has a default initializer, so designated initializers may name only what they set.
struct JwksCacheOptions {
  std::string uri{};  // e.g. https://auth.example.com/keys
  bool allow_http = false;
  // PEM file of the CAs that may sign the issuer's certificate, when it is not one the system
  // trusts (a private CA); empty: the system's store. Certificate and host are always verified.
  std::string ca_file{};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(2)};
  std::chrono::milliseconds total_timeout{std::chrono::seconds(5)};
  std::size_t max_response_bytes = jose::kMaxJwksBytes;
  std::chrono::milliseconds default_ttl{std::chrono::minutes(5)};
  std::chrono::milliseconds min_ttl{std::chrono::minutes(1)};
  std::chrono::milliseconds max_ttl{std::chrono::hours(24)};
  std::chrono::milliseconds refresh_cooldown{std::chrono::seconds(30)};
  // For tests; the steady clock when empty.
  std::function<std::chrono::steady_clock::time_point()> clock{};
};

enum class FetchError : std::uint8_t {
  transport,       // DNS, connect, TLS, timeout, or a refused scheme
  http_status,     // anything but 200, redirects included
  too_large,       // above max_response_bytes
  malformed_jwks,  // not a JWKS document
  no_usable_keys,  // a JWKS whose keys were all skipped
};

std::string_view to_string(FetchError error);

struct JwksCacheStats {
  std::uint64_t fetches = 0;  // attempts, successful or not
  std::uint64_t failures = 0;
  std::optional<FetchError> last_error{};  // of the latest attempt; nullopt after a success
  std::size_t key_count = 0;               // usable keys currently cached
};

class JwksCache final : public KeySource {
 public:
  static Result<std::shared_ptr<JwksCache>, ConfigError> create(JwksCacheOptions options);

  std::shared_ptr<const jose::Jwks> keys() override;
  std::shared_ptr<const jose::Jwks> refresh_for_unknown_kid() override;

  JwksCacheStats stats() const;
  const JwksCacheOptions& options() const { return options_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit JwksCache(JwksCacheOptions options);
  TimePoint now() const;
  std::shared_ptr<const jose::Jwks> refresh(std::unique_lock<std::mutex>& lock,
                                            bool wait_for_in_flight);

  const JwksCacheOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable fetched_;
  std::shared_ptr<const jose::Jwks> keys_;
  TimePoint expires_at_{};
  std::optional<TimePoint> last_attempt_;
  bool fetching_ = false;
  std::uint64_t generation_ = 0;  // bumped after every fetch, so waiters know theirs finished
  JwksCacheStats stats_;
};

}  // namespace tessera::verify
