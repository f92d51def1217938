// `flotilla top`: polls the admin API's status and redraws a per-instance table in place
// (clear + home, like `docker stats`), or prints it once / as JSON. The rows are computed by
// observe/top/top_screen.hpp; this file only fetches, times and prints.
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "observe/top/top_screen.hpp"

namespace flotilla::app {
namespace {

constexpr std::string_view kClearHome = "\x1b[H\x1b[2J";

std::optional<observe::TopSample> take_sample(const StatusFetcher& fetch, std::string& error) {
  std::optional<nlohmann::json> status = fetch(error);
  if (!status) return std::nullopt;
  return observe::TopSample{std::move(*status), std::chrono::steady_clock::now()};
}

void print_rows(const TopOptions& options, const std::vector<observe::TopRow>& rows) {
  if (options.json) {
    fmt::print("{}\n", observe::top_rows_json(rows).dump());
  } else {
    fmt::print("{}", observe::render_top_table(rows));
  }
  std::fflush(stdout);
}

}  // namespace

int top_command(const TopOptions& options, const StatusFetcher& fetch) {
  std::string error;
  std::optional<observe::TopSample> previous = take_sample(fetch, error);
  if (!previous) {
    fmt::print(stderr, "flotilla top: {}\n", error);
    return kExitFailure;
  }
  const bool live = !options.once && !options.json;
  if (live) {
    fmt::print("{}{}", kClearHome,
               observe::render_top_table(observe::top_rows(*previous, nullptr)));
    std::fflush(stdout);
  }
  for (int refresh = 0; options.max_refreshes == 0 || refresh < options.max_refreshes; ++refresh) {
    std::this_thread::sleep_for(options.interval);
    std::optional<observe::TopSample> now = take_sample(fetch, error);
    if (!now) {
      if (!live) {
        fmt::print(stderr, "flotilla top: {}\n", error);
        return kExitFailure;
      }
      fmt::print("{}flotilla top: {} (retrying)\n", kClearHome, error);
      std::fflush(stdout);
      continue;
    }
    const std::vector<observe::TopRow> rows = observe::top_rows(*now, &*previous);
    if (live) fmt::print("{}", kClearHome);
    print_rows(options, rows);
    previous = std::move(now);
    if (options.once) break;
  }
  return kExitOk;
}

}  // namespace flotilla::app
