// Counters and the token endpoint's duration histogram for /metrics (Prometheus text exposition
// format 0.0.4). Relaxed atomics: each update is an uncontended increment on the token path.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tessera::http {

// Request durations in fixed buckets, rendered as a Prometheus histogram. The bounds bracket one
// RSA-2048 signature (about 0.25 ms of a core) and the 3 ms that docs/benchmarks.md holds the
// half-load p99 to, so an operator can read the tail straight off the buckets.
class LatencyHistogram {
 public:
  static constexpr std::array<std::chrono::microseconds, 14> kBounds{
      std::chrono::microseconds(250),       std::chrono::microseconds(500),
      std::chrono::microseconds(1'000),     std::chrono::microseconds(2'000),
      std::chrono::microseconds(3'000),     std::chrono::microseconds(5'000),
      std::chrono::microseconds(10'000),    std::chrono::microseconds(25'000),
      std::chrono::microseconds(50'000),    std::chrono::microseconds(100'000),
      std::chrono::microseconds(250'000),   std::chrono::microseconds(500'000),
      std::chrono::microseconds(1'000'000), std::chrono::microseconds(2'500'000)};

  // Counts `elapsed` in the first bucket whose bound it does not exceed (Prometheus' `le`).
  void observe(std::chrono::nanoseconds elapsed) noexcept;

  // Observations at or under each bound, then all of them (the `+Inf` bucket).
  std::array<std::uint64_t, kBounds.size() + 1> cumulative_counts() const noexcept;
  std::chrono::nanoseconds sum() const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // the last: over all
  std::atomic<std::uint64_t> sum_ns_{0};
};

// Observes, when destroyed, the time since it was made: every way out of a handler counts.
class ScopedLatency {
 public:
  explicit ScopedLatency(LatencyHistogram& histogram)
      : histogram_(histogram), start_(std::chrono::steady_clock::now()) {}
  ~ScopedLatency() { histogram_.observe(std::chrono::steady_clock::now() - start_); }
  ScopedLatency(const ScopedLatency&) = delete;
  ScopedLatency& operator=(const ScopedLatency&) = delete;

 private:
  LatencyHistogram& histogram_;
  std::chrono::steady_clock::time_point start_;
};

struct TokenMetrics {
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> invalid_client{0};
  std::atomic<std::uint64_t> invalid_request{0};  // invalid_request, invalid_scope, grant type
  std::atomic<std::uint64_t> throttled{0};
  std::atomic<std::uint64_t> unavailable{0};
  std::atomic<std::uint64_t> cache_hits{0};
  std::atomic<std::uint64_t> cache_misses{0};
  // From the handler's start (the request read and routed) to its response, whatever the outcome.
  LatencyHistogram durations;
};

// A value read when /metrics is scraped: a gauge, or a counter kept elsewhere.
struct ScrapedMetric {
  enum class Kind { gauge, counter };
  std::string name;
  std::string help;
  std::function<double()> read;
  Kind kind = Kind::gauge;
};

std::string render_metrics(const TokenMetrics& tokens, const std::vector<ScrapedMetric>& scraped);

}  // namespace tessera::http
