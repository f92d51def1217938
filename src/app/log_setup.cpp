// spdlog's default logger, reconfigured: a level and, for `format: json`, a formatter writing
// {"time": ..., "level": ..., "message": ...} with the message JSON-escaped.
#include "app/log_setup.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

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
    const auto since_epoch = msg.time.time_since_epoch();
    const std::time_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const std::string message = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(
        std::back_inserter(dest),
        R"({{"time":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","level":"{}","message":{}}})"
        "\n",
        utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
        millis, std::string_view(level.data(), level.size()), message);
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
