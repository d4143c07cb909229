// /metrics in Prometheus' text format: the counters as counted, and the token endpoint's duration
// histogram with `le` buckets that are cumulative and agree with _count.
#include "server/http/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace tessera::http {
namespace {

using namespace std::chrono_literals;

// The value of the sample line `name` (labels included), or "" when there is none.
std::string sample(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) return line.substr(name.size() + 1);
  }
  return "";
}

TEST(LatencyHistogramTest, AnObservationAtABoundCountsInThatBucket) {
  LatencyHistogram histogram;
  histogram.observe(250us);   // le 0.00025
  histogram.observe(251us);   // le 0.0005
  histogram.observe(3ms);     // le 0.003
  histogram.observe(3001us);  // le 0.005
  const auto counts = histogram.cumulative_counts();
  EXPECT_EQ(counts[0], 1u);  // 0.00025
  EXPECT_EQ(counts[1], 2u);  // 0.0005
  EXPECT_EQ(counts[3], 2u);  // 0.002
  EXPECT_EQ(counts[4], 3u);  // 0.003
  EXPECT_EQ(counts[5], 4u);  // 0.005
  EXPECT_EQ(counts.back(), 4u);
  EXPECT_EQ(histogram.sum(), 250us + 251us + 3ms + 3001us);
}

TEST(LatencyHistogramTest, LongerThanTheLastBoundCountsOnlyInInf) {
  LatencyHistogram histogram;
  histogram.observe(10s);
  const auto counts = histogram.cumulative_counts();
  EXPECT_EQ(counts[LatencyHistogram::kBounds.size() - 1], 0u);
  EXPECT_EQ(counts.back(), 1u);
}

TEST(LatencyHistogramTest, ANegativeDurationCountsAsZero) {
  // steady_clock cannot go back, but the histogram must not wrap its sum if it ever did.
  LatencyHistogram histogram;
  histogram.observe(-5ms);
  EXPECT_EQ(histogram.cumulative_counts()[0], 1u);
  EXPECT_EQ(histogram.sum(), 0ns);
}

TEST(LatencyHistogramTest, ScopedLatencyObservesWhenItGoesOutOfScope) {
  LatencyHistogram histogram;
  {
    const ScopedLatency timed(histogram);
    EXPECT_EQ(histogram.cumulative_counts().back(), 0u);
  }
  EXPECT_EQ(histogram.cumulative_counts().back(), 1u);
}

TEST(RenderMetricsTest, CountersAndTheHistogramInTextFormat) {
  TokenMetrics metrics;
  metrics.issued = 7;
  metrics.invalid_client = 2;
  metrics.cache_hits = 5;
  metrics.cache_misses = 1;
  metrics.durations.observe(400us);
  metrics.durations.observe(400us);
  metrics.durations.observe(4ms);
  const std::string text =
      render_metrics(metrics, {{"tessera_test_gauge", "A gauge.", [] { return 1.5; }},
                               {"tessera_test_total", "A counter kept elsewhere.",
                                [] { return 4.0; }, ScrapedMetric::Kind::counter}});

  EXPECT_EQ(sample(text, "tessera_tokens_issued_total"), "7");
  EXPECT_EQ(sample(text, R"(tessera_token_requests_rejected_total{reason="invalid_client"})"), "2");
  EXPECT_EQ(sample(text, R"(tessera_client_cache_lookups_total{result="miss"})"), "1");
  EXPECT_EQ(sample(text, "tessera_test_gauge"), "1.5");
  EXPECT_NE(text.find("# TYPE tessera_test_gauge gauge\n"), std::string::npos) << text;
  EXPECT_EQ(sample(text, "tessera_test_total"), "4");
  EXPECT_NE(text.find("# TYPE tessera_test_total counter\n"), std::string::npos) << text;

  const std::string h = "tessera_token_request_duration_seconds";
  EXPECT_NE(text.find("# TYPE " + h + " histogram\n"), std::string::npos) << text;
  EXPECT_EQ(sample(text, h + R"(_bucket{le="0.00025"})"), "0");
  EXPECT_EQ(sample(text, h + R"(_bucket{le="0.0005"})"), "2");
  EXPECT_EQ(sample(text, h + R"(_bucket{le="0.003"})"), "2");
  EXPECT_EQ(sample(text, h + R"(_bucket{le="0.005"})"), "3");
  EXPECT_EQ(sample(text, h + R"(_bucket{le="2.5"})"), "3");
  EXPECT_EQ(sample(text, h + R"(_bucket{le="+Inf"})"), "3");
  EXPECT_EQ(sample(text, h + "_count"), "3");
  EXPECT_DOUBLE_EQ(std::stod(sample(text, h + "_sum")), 0.0048);
}

}  // namespace
}  // namespace tessera::http
