#include "server/app/logging.hpp"

#include <chrono>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "server/domain/time.hpp"
#include "server/issue/json_writer.hpp"

namespace tessera::app {
namespace {

// {"time":"…","level":"info","logger":"tessera","msg":"…"} with proper JSON escaping; spdlog's
// pattern formatter cannot escape, and a message may quote client input.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    issue::JsonWriter w(line);
    w.begin_object();
    w.key("time");
    w.string(
        domain::format_rfc3339(std::chrono::time_point_cast<std::chrono::microseconds>(msg.time)));
    w.key("level");
    const auto level = spdlog::level::to_string_view(msg.level);
    w.string(std::string_view(level.data(), level.size()));
    w.key("msg");
    w.string(std::string_view(msg.payload.data(), msg.payload.size()));
    w.end_object();
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

bool configure_logging(const std::string& format, const std::string& level, std::string& error) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    error = "unknown log level '" + level + "' (trace, debug, info, warn, error, critical, off)";
    return false;
  }
  auto logger = std::make_shared<spdlog::logger>("tessera",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (format == "text") {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc));
  } else {
    error = "unknown log format '" + format + "' (text, json)";
    return false;
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return true;
}

}  // namespace tessera::app
