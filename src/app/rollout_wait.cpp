// The CLI's rollout follower.
#include "app/rollout_wait.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/core.h>

#include "app/exit_codes.hpp"
#include "app/human_format.hpp"
#include "app/remote.hpp"
#include "app/rollout_view.hpp"

namespace flotilla::app {
namespace {

constexpr std::chrono::milliseconds kPollInterval{250};
// An answer about another revision (the previous rollout, before this one is visible) is
// ignored for this many polls before being believed.
constexpr int kStalePolls = 40;

}  // namespace

int wait_for_rollout(const admin::Client& client, std::string_view command,
                     const std::string& service, const nlohmann::json& started, bool json) {
  const bool tty = !json && ::isatty(STDOUT_FILENO) == 1;
  const std::string expected = field_text(started, "revision");
  const std::string path = fmt::format("/api/v1/services/{}/rollout", url_encode(service));
  std::string last_line;
  for (int poll = 0;; ++poll) {
    admin::ClientResponse response;
    try {
      response = client.get(path);
    } catch (const admin::ClientError&) {
      if (tty && !last_line.empty()) fmt::print("\n");  // end the progress line before the error
      throw;
    }
    if (!response.ok()) {
      if (tty && !last_line.empty()) fmt::print("\n");
      return report_http_error(command, response);
    }
    const nlohmann::json& rollout = response.json;
    const bool other_revision = expected != kNone && field_text(rollout, "revision") != expected;
    if (!(other_revision && poll < kStalePolls)) {
      if (rollout_finished(rollout)) {
        if (json) {
          print_json(rollout);
        } else {
          if (tty) fmt::print("\r\x1b[K");
          fmt::print("{}\n", rollout_summary(rollout));
        }
        return rollout_succeeded(rollout) ? kExitOk : kExitFailure;
      }
      if (!json) {
        const std::string line = rollout_progress_line(rollout, tty);
        if (tty) {
          fmt::print("\r\x1b[K{}", line);
          std::fflush(stdout);
        } else if (line != last_line) {
          fmt::print("{}\n", line);
          std::fflush(stdout);
        }
        last_line = line;
      }
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

int report_rollout_started(const nlohmann::json& started, bool json) {
  if (json) {
    print_json(started);
  } else {
    fmt::print("{}: rollout to revision {} started ({})\n", field_text(started, "service"),
               field_text(started, "revision"), field_text(started, "state"));
  }
  return kExitOk;
}

}  // namespace flotilla::app
