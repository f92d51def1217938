// spdlog's default logger, reconfigured: a level and, for `format: json`, a formatter writing
// {"time": ..., "level": ..., "message": ...} with the message JSON-escaped.
#include "app/log_setup.hpp"

#include <memory>

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "observe/alerts/alert_status.hpp"

namespace flotilla::app {
namespace {

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warn:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string message = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(std::back_inserter(dest),
                   R"({{"time":"{}","level":"{}","message":{}}})"
                   "\n",
                   observe::format_rfc3339(msg.time), std::string_view(level.data(), level.size()),
                   message);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

}  // namespace

void apply_log_config(const config::LogConfig& log) {
  spdlog::set_level(to_spdlog(log.level));
  if (log.format == config::LogFormat::json) {
    spdlog::set_formatter(std::make_unique<JsonLineFormatter>());
  }
}

}  // namespace flotilla::app
