// `flotilla logs web [-f] [-i N] [-n N] [--since 10m]`: instance output kept by the supervisor.
// With -f, polls with the returned cursor every 500 ms until interrupted; --json then prints one
// JSON object per line (NDJSON) instead of the whole answer.
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/log_view.hpp"
#include "app/remote.hpp"
#include "config/units.hpp"

namespace flotilla::app {
namespace {

constexpr std::chrono::milliseconds kFollowInterval{500};

void print_lines(const LogsOptions& options, const nlohmann::json& answer) {
  if (!answer.is_object() || !answer.contains("lines") || !answer["lines"].is_array()) return;
  for (const nlohmann::json& line : answer["lines"]) {
    if (options.remote.json) {
      fmt::print("{}\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      fmt::print("{}\n", format_log_line(options.service, line));
    }
  }
  std::fflush(stdout);
}

}  // namespace

int logs_command(const LogsOptions& options) {
  std::string query;
  if (options.instance) query += fmt::format("&instance={}", *options.instance);
  if (options.tail) query += fmt::format("&limit={}", *options.tail);
  if (!options.since.empty()) {
    const auto since = config::parse_duration(options.since);
    if (!since) return fail("logs", fmt::format("--since: {}", since.error()), kExitUsage);
    // Whole seconds, rounded up so that "--since 1500ms" does not lose the first half second.
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*since);
    query += fmt::format("&since={}", seconds.count());
  }
  const std::string base = fmt::format("/api/v1/services/{}/logs", url_encode(options.service));
  return with_admin_client(options.remote, "logs", [&](const admin::Client& client) {
    std::string target = query.empty() ? base : base + "?" + query.substr(1);
    for (;;) {
      const admin::ClientResponse response = client.get(target);
      if (!response.ok()) return report_http_error("logs", response);
      if (!options.follow) {
        if (options.remote.json) {
          print_json(response.json);
        } else {
          print_lines(options, response.json);
        }
        return kExitOk;
      }
      print_lines(options, response.json);
      // Follow from where this answer ended; keep the instance filter, drop --since.
      std::string next = options.instance ? fmt::format("instance={}", *options.instance) : "";
      if (response.json.is_object() && response.json.contains("cursor") &&
          !response.json["cursor"].is_null()) {
        const nlohmann::json& cursor = response.json["cursor"];
        const std::string text = cursor.is_string() ? cursor.get<std::string>() : cursor.dump();
        next += fmt::format("{}cursor={}", next.empty() ? "" : "&", url_encode(text));
      }
      target = next.empty() ? base : base + "?" + next;
      std::this_thread::sleep_for(kFollowInterval);
    }
  });
}

}  // namespace flotilla::app
