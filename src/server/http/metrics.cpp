#include "server/http/metrics.hpp"

#include <string_view>

#include <fmt/format.h>

namespace tessera::http {
namespace {

// A metric that is one unlabelled sample.
template <class Value>
void single_sample(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type, Value value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

void render_histogram(std::string& out, const char* name, const char* help,
                      const LatencyHistogram& histogram) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  const auto counts = histogram.cumulative_counts();
  for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
    const double bound = std::chrono::duration<double>(LatencyHistogram::kBounds[i]).count();
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bound, counts[i]);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, counts.back());
  out += fmt::format("{}_sum {}\n", name, std::chrono::duration<double>(histogram.sum()).count());
  out += fmt::format("{}_count {}\n", name, counts.back());
}

}  // namespace

void LatencyHistogram::observe(std::chrono::nanoseconds elapsed) noexcept {
  if (elapsed < std::chrono::nanoseconds::zero()) elapsed = std::chrono::nanoseconds::zero();
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && elapsed > kBounds[bucket])
    ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

std::array<std::uint64_t, LatencyHistogram::kBounds.size() + 1>
LatencyHistogram::cumulative_counts() const noexcept {
  std::array<std::uint64_t, kBounds.size() + 1> counts{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    counts[i] = running;
  }
  return counts;
}

std::chrono::nanoseconds LatencyHistogram::sum() const noexcept {
  return std::chrono::nanoseconds(sum_ns_.load(std::memory_order_relaxed));
}

std::string render_metrics(const TokenMetrics& t, const std::vector<ScrapedMetric>& scraped) {
  std::string out;
  single_sample(out, "tessera_tokens_issued_total", "Access tokens issued.", "counter",
                t.issued.load());
  out +=
      "# HELP tessera_token_requests_rejected_total Token requests refused, by reason.\n"
      "# TYPE tessera_token_requests_rejected_total counter\n";
  out += fmt::format("tessera_token_requests_rejected_total{{reason=\"invalid_client\"}} {}\n",
                     t.invalid_client.load());
  out += fmt::format("tessera_token_requests_rejected_total{{reason=\"invalid_request\"}} {}\n",
                     t.invalid_request.load());
  out += fmt::format("tessera_token_requests_rejected_total{{reason=\"throttled\"}} {}\n",
                     t.throttled.load());
  out += fmt::format("tessera_token_requests_rejected_total{{reason=\"unavailable\"}} {}\n",
                     t.unavailable.load());
  out +=
      "# HELP tessera_client_cache_lookups_total Token-endpoint client lookups, by result.\n"
      "# TYPE tessera_client_cache_lookups_total counter\n";
  out +=
      fmt::format("tessera_client_cache_lookups_total{{result=\"hit\"}} {}\n", t.cache_hits.load());
  out += fmt::format("tessera_client_cache_lookups_total{{result=\"miss\"}} {}\n",
                     t.cache_misses.load());
  render_histogram(out, "tessera_token_request_duration_seconds",
                   "Time /oauth/token took in the server, from the request read to its response.",
                   t.durations);
  for (const auto& metric : scraped) {
    single_sample(out, metric.name, metric.help,
                  metric.kind == ScrapedMetric::Kind::counter ? "counter" : "gauge", metric.read());
  }
  return out;
}

}  // namespace tessera::http
