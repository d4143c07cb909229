// Counters for /metrics (Prometheus text exposition format 0.0.4). Relaxed atomics: each is
// one uncontended increment on the token path.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tessera::http {

struct TokenMetrics {
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> invalid_client{0};
  std::atomic<std::uint64_t> invalid_request{0};  // invalid_request, invalid_scope, grant type
  std::atomic<std::uint64_t> throttled{0};
  std::atomic<std::uint64_t> unavailable{0};
  std::atomic<std::uint64_t> cache_hits{0};
  std::atomic<std::uint64_t> cache_misses{0};
};

// A gauge read when /metrics is scraped.
struct Gauge {
  std::string name;
  std::string help;
  std::function<double()> read;
};

std::string render_metrics(const TokenMetrics& tokens, const std::vector<Gauge>& gauges);

}  // namespace tessera::http
