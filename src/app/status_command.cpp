// `flotilla status [SERVICE] [--watch]`: services → instances, upstreams → endpoints, listeners
// and alerts of the running flotilla, as tables (or --json, the server's answer verbatim); one
// service's part of it when named; redrawn in place with --watch.
#include <cstdio>
#include <thread>

#include <unistd.h>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/status_view.hpp"
#include "config/did_you_mean.hpp"

namespace flotilla::app {
namespace {

constexpr std::string_view kClearHome = "\x1b[H\x1b[2J";

// One fetch and print; returns the exit status.
int show_once(const StatusOptions& options, const admin::Client& client, bool redraw) {
  const admin::ClientResponse response = client.get("/api/v1/status");
  if (!response.ok()) return report_http_error("status", response);
  nlohmann::json status = response.json;
  if (!options.service.empty()) {
    std::optional<nlohmann::json> one = service_status(status, options.service);
    if (!one) {
      std::vector<std::string> names;
      if (status.contains("services") && status["services"].is_array()) {
        for (const nlohmann::json& s : status["services"]) {
          if (s.is_object() && s.contains("name") && s["name"].is_string()) {
            names.push_back(s["name"].get<std::string>());
          }
        }
      }
      return fail("status",
                  fmt::format("no service '{}'{}", options.service,
                              config::did_you_mean(options.service, names)),
                  kExitFailure);
    }
    status = std::move(*one);
  }
  if (redraw) fmt::print("{}", kClearHome);
  if (options.remote.json) {
    print_json(status);
  } else {
    fmt::print("{}", render_status(status));
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

int status_command(const StatusOptions& options) {
  return with_admin_client(options.remote, "status", [&](const admin::Client& client) {
    if (!options.watch) return show_once(options, client, false);
    // Like `watch`: clear and redraw on a terminal; elsewhere one snapshot after another.
    const bool terminal = ::isatty(STDOUT_FILENO) == 1;
    for (int refresh = 0;; ++refresh) {
      const int code = show_once(options, client, terminal);
      if (code != kExitOk) return code;
      if (options.max_refreshes > 0 && refresh + 1 >= options.max_refreshes) return kExitOk;
      if (!terminal) fmt::print("\n");
      std::this_thread::sleep_for(options.interval);
    }
  });
}

}  // namespace flotilla::app
