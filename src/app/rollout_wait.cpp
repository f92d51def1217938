// The CLI's rollout follower.
#include "app/rollout_wait.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
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

// Ctrl-C stops the waiting, not the rollout (which runs inside flotilla): say so, like
// `kubectl rollout status`, and exit as a SIGINT would (130). Only async-signal-safe calls.
extern "C" void interrupted_while_waiting(int) {
  static constexpr char kMessage[] =
      "\nstopped waiting: the rollout goes on in flotilla (`flotilla status` shows it, "
      "`flotilla rollback SERVICE` ends it)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::_exit(130);
}

// A rollback that ended a running rollout asked for exactly that rollout to roll back.
bool rollback_requested(const nlohmann::json& started) {
  if (!started.is_object()) return false;
  const auto field = started.find("rollback_requested");
  return field != started.end() && field->is_boolean() && field->get<bool>();
}

int report_finished(const nlohmann::json& rollout, bool json, bool tty, bool undo) {
  if (json) {
    print_json(rollout);
  } else {
    if (tty) fmt::print("\r\x1b[K");
    fmt::print("{}\n", rollout_summary(rollout));
  }
  const bool done =
      rollout_succeeded(rollout) || (undo && field_text(rollout, "state") == "rolled_back");
  return done ? kExitOk : kExitFailure;
}

}  // namespace

int wait_for_rollout(const admin::Client& client, std::string_view command,
                     const std::string& service, const nlohmann::json& started, bool json) {
  const bool tty = !json && ::isatty(STDOUT_FILENO) == 1;
  // The 202 answer is the rollout as it began: one that changed nothing has already ended.
  const bool undo = rollback_requested(started);
  if (rollout_finished(started)) return report_finished(started, json, false, undo);
  const std::string expected = field_text(started, "revision");
  const std::string path = fmt::format("/api/v1/services/{}/rollout", url_encode(service));
  std::signal(SIGINT, interrupted_while_waiting);
  std::string last_line;
  for (;;) {
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
    // The server publishes a rollout before answering 202, so another revision here means a
    // later rollout (a reload, another command) replaced ours: its outcome is not ours to print.
    const std::string revision = field_text(rollout, "revision");
    if (expected != kNone && revision != expected) {
      if (tty && !last_line.empty()) fmt::print("\n");
      return fail(command,
                  fmt::format("{}: the rollout of revision {} was followed by another one "
                              "(revision {}); see `flotilla history {}`",
                              service, expected, revision, service),
                  kExitFailure);
    }
    if (rollout_finished(rollout)) return report_finished(rollout, json, tty, undo);
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
    std::this_thread::sleep_for(kPollInterval);
  }
}

int rollout_status_command(const RemoteOptions& remote, const std::string& service) {
  return with_admin_client(remote, "rollout status", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.get(fmt::format("/api/v1/services/{}/rollout", url_encode(service)));
    if (response.status == 404 && response.json.is_object() &&
        field_text(response.json, "error").find("no rollout") != std::string::npos) {
      if (remote.json) {
        print_json(response.json);
      } else {
        fmt::print("{}: no rollout yet\n", service);
      }
      return kExitOk;
    }
    if (!response.ok()) return report_http_error("rollout status", response);
    if (!remote.json && !rollout_finished(response.json)) {
      fmt::print("{}: following the rollout to revision {} (from {}, {})\n", service,
                 field_text(response.json, "revision"), field_text(response.json, "from_revision"),
                 field_text(response.json, "cause"));
      std::fflush(stdout);
    }
    return wait_for_rollout(client, "rollout status", service, response.json, remote.json);
  });
}

int report_rollout_started(const nlohmann::json& started, bool json) {
  if (json) {
    print_json(started);
  } else if (rollout_finished(started)) {
    fmt::print("{}\n", rollout_summary(started));  // nothing to start: it changed nothing
  } else if (rollback_requested(started)) {
    fmt::print("{}: rollout to revision {} rolling back to revision {} (rollback requested)\n",
               field_text(started, "service"), field_text(started, "revision"),
               field_text(started, "from_revision"));
  } else {
    fmt::print("{}: rollout to revision {} started ({})\n", field_text(started, "service"),
               field_text(started, "revision"), field_text(started, "state"));
  }
  return kExitOk;
}

}  // namespace flotilla::app
