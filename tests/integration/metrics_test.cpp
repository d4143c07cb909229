// GET /metrics on a real server: token requests show up in the counters and in the duration
// histogram, whatever their outcome, and the histogram's buckets are consistent.
#include <map>
#include <sstream>

#include "integration/test_support.hpp"

namespace tessera::it {
namespace {

// Sample lines ("name{labels} value") by name with labels; comments skipped.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with("#")) continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class MetricsTest : public ServerTest {
 protected:
  std::map<std::string, double> scrape() {
    const auto response = request(server->port(), "GET", "/metrics");
    require_status(response, 200, "GET /metrics");
    EXPECT_TRUE(response.header("content-type").starts_with("text/plain")) << response.describe();
    return samples(response.body);
  }
};

constexpr const char* kDuration = "tessera_token_request_duration_seconds";

TEST_F(MetricsTest, TokenRequestsAreCountedAndTimedWhateverTheirOutcome) {
  const auto org_id = api->create_organization().at("id").get<std::string>();
  const CreatedClient client = api->create_client(org_id, Json{{"name", "metrics"}});
  const auto before = scrape();

  for (int i = 0; i < 3; ++i)
    api->access_token(client.id(), client.plain_secret);
  EXPECT_EQ(api->token_post(client.id(), "not-the-secret").status, 401);
  EXPECT_EQ(api->token_form("grant_type=password").status, 400);
  const auto after = scrape();

  const auto delta = [&](const std::string& name) { return after.at(name) - before.at(name); };
  EXPECT_EQ(delta("tessera_tokens_issued_total"), 3);
  EXPECT_EQ(delta(R"(tessera_token_requests_rejected_total{reason="invalid_client"})"), 1);
  EXPECT_EQ(delta(R"(tessera_token_requests_rejected_total{reason="invalid_request"})"), 1);
  EXPECT_EQ(delta(std::string(kDuration) + "_count"), 5);
  EXPECT_GT(delta(std::string(kDuration) + "_sum"), 0);
}

TEST_F(MetricsTest, TheDurationBucketsAreCumulativeAndEndAtTheCount) {
  api->access_token(api->admin_id(), api->admin_secret());
  const auto metrics = scrape();
  const std::string bucket = std::string(kDuration) + "_bucket{le=\"";
  int buckets = 0;
  for (const auto& sample : metrics)
    buckets += sample.first.starts_with(bucket) ? 1 : 0;
  EXPECT_EQ(buckets, 15);  // 14 bounds and +Inf
  double previous = 0;
  for (const char* le : {"0.00025", "0.0005", "0.001", "0.002", "0.003", "0.005", "0.01", "0.025",
                         "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"}) {
    const double count = metrics.at(bucket + le + "\"}");
    EXPECT_GE(count, previous) << le;
    previous = count;
  }
  EXPECT_EQ(previous, metrics.at(std::string(kDuration) + "_count"));
  EXPECT_GE(previous, 1);
}

// Prometheus reads a `_total` name as a counter's; a scraper that takes the TYPE line at its word
// would otherwise treat rates of the shed and statement counters as levels.
TEST_F(MetricsTest, EveryTotalIsTypedAsACounterAndNothingElseIs) {
  const auto response = request(server->port(), "GET", "/metrics");
  require_status(response, 200, "GET /metrics");
  std::istringstream lines(response.body);
  int typed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("# TYPE ")) continue;
    std::istringstream fields(line.substr(7));
    std::string name, type;
    fields >> name >> type;
    EXPECT_EQ(name.ends_with("_total"), type == "counter") << line;
    ++typed;
  }
  EXPECT_GE(typed, 10) << response.body;
}

}  // namespace
}  // namespace tessera::it
