#include "server/http/metrics.hpp"

#include <fmt/format.h>

namespace tessera::http {
namespace {

void counter(std::string& out, const char* name, const char* help, const char* labels,
             std::uint64_t value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{}{} {}\n", name, help, name, name, labels,
                     value);
}

}  // namespace

std::string render_metrics(const TokenMetrics& t, const std::vector<Gauge>& gauges) {
  std::string out;
  counter(out, "tessera_tokens_issued_total", "Access tokens issued.", "", t.issued.load());
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
  for (const auto& gauge : gauges) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", gauge.name, gauge.help, gauge.name,
                       gauge.name, gauge.read());
  }
  return out;
}

}  // namespace tessera::http
