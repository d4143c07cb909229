#include "tessera/verify/jwks_cache.hpp"

#include <algorithm>

#include "verify/http_fetch.hpp"

namespace tessera::verify {
namespace {

using std::chrono::milliseconds;

struct Fetched {
  std::shared_ptr<const jose::Jwks> jwks;
  std::optional<std::chrono::seconds> max_age;
};

Result<Fetched, FetchError> fetch_jwks(const JwksCacheOptions& options) {
  auto response = detail::http_get({.url = options.uri,
                                    .allow_http = options.allow_http,
                                    .ca_file = options.ca_file,
                                    .connect_timeout = options.connect_timeout,
                                    .total_timeout = options.total_timeout,
                                    .max_bytes = options.max_response_bytes});
  if (!response) return fail(response.error());
  auto jwks = jose::parse_jwks(response->body);
  if (!jwks) return fail(FetchError::malformed_jwks);
  // An empty set (or one of only unusable keys) is treated as a failure: keeping the last good
  // keys is safer than locking every client out because of a broken deployment.
  if (jwks->keys.empty()) return fail(FetchError::no_usable_keys);
  return Fetched{std::make_shared<const jose::Jwks>(std::move(*jwks)), response->max_age};
}

milliseconds ttl_for(const JwksCacheOptions& options, std::optional<std::chrono::seconds> max_age) {
  const milliseconds wanted =
      max_age ? std::chrono::duration_cast<milliseconds>(*max_age) : options.default_ttl;
  return std::clamp(wanted, options.min_ttl, options.max_ttl);
}

std::optional<ConfigError> validate(const JwksCacheOptions& options) {
  switch (detail::check_jwks_url(options.uri, options.allow_http)) {
    case detail::UrlCheck::ok:
      break;
    case detail::UrlCheck::malformed:
      return ConfigError::bad_jwks_uri;
    case detail::UrlCheck::insecure:
      return ConfigError::insecure_jwks_uri;
  }
  const milliseconds zero{0};
  if (options.connect_timeout <= zero || options.total_timeout <= zero) {
    return ConfigError::bad_timeouts;
  }
  if (options.min_ttl < zero || options.min_ttl > options.max_ttl || options.default_ttl < zero ||
      options.refresh_cooldown < zero) {
    return ConfigError::bad_cache_bounds;
  }
  if (options.max_response_bytes == 0) return ConfigError::bad_size_limit;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(FetchError error) {
  switch (error) {
    case FetchError::transport:
      return "JWKS request failed (connection, TLS or timeout)";
    case FetchError::http_status:
      return "JWKS endpoint answered with a status other than 200";
    case FetchError::too_large:
      return "JWKS response too large";
    case FetchError::malformed_jwks:
      return "JWKS response is not a JWKS document";
    case FetchError::no_usable_keys:
      return "JWKS holds no usable keys";
  }
  return "JWKS fetch failed";
}

Result<std::shared_ptr<JwksCache>, ConfigError> JwksCache::create(JwksCacheOptions options) {
  if (auto error = validate(options)) return fail(*error);
  return std::shared_ptr<JwksCache>(new JwksCache(std::move(options)));
}

JwksCache::JwksCache(JwksCacheOptions options) : options_(std::move(options)) {}

JwksCache::TimePoint JwksCache::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

std::shared_ptr<const jose::Jwks> JwksCache::keys() {
  std::unique_lock lock(mutex_);
  if (keys_ && now() < expires_at_) return keys_;
  return refresh(lock, /*wait_for_in_flight=*/false);
}

std::shared_ptr<const jose::Jwks> JwksCache::refresh_for_unknown_kid() {
  std::unique_lock lock(mutex_);
  return refresh(lock, /*wait_for_in_flight=*/true);
}

std::shared_ptr<const jose::Jwks> JwksCache::refresh(std::unique_lock<std::mutex>& lock,
                                                     bool wait_for_in_flight) {
  if (fetching_) {
    // Someone is fetching already: join that fetch instead of starting another. Callers that only
    // want any keys make do with stale ones meanwhile.
    if (keys_ && !wait_for_in_flight) return keys_;
    const auto generation = generation_;
    fetched_.wait(lock, [&] { return generation_ != generation; });
    return keys_;
  }
  const TimePoint started = now();
  if (last_attempt_ && started - *last_attempt_ < options_.refresh_cooldown) return keys_;
  fetching_ = true;
  last_attempt_ = started;
  lock.unlock();

  // No lock is held during network I/O; verifications keep using the current snapshot.
  Result<Fetched, FetchError> fetched = fail(FetchError::transport);
  try {
    fetched = fetch_jwks(options_);
  } catch (...) {  // allocation failure: treat like any failed fetch, and never strand waiters
  }

  lock.lock();
  ++stats_.fetches;
  if (fetched) {
    keys_ = std::move(fetched->jwks);
    expires_at_ = now() + ttl_for(options_, fetched->max_age);
    stats_.last_error.reset();
    stats_.key_count = keys_->keys.size();
  } else {
    ++stats_.failures;
    stats_.last_error = fetched.error();
  }
  fetching_ = false;
  ++generation_;
  fetched_.notify_all();
  return keys_;
}

JwksCacheStats JwksCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace tessera::verify
