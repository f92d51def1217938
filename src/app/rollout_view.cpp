// Wording of rollout progress and outcome.
#include "app/rollout_view.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "app/human_format.hpp"

namespace flotilla::app {
namespace {

std::string state_of(const nlohmann::json& rollout) {
  return field_text(rollout, "state");
}

}  // namespace

bool rollout_finished(const nlohmann::json& rollout) {
  const std::string state = state_of(rollout);
  return state == "succeeded" || state == "rolled_back" || state == "failed";
}

bool rollout_succeeded(const nlohmann::json& rollout) {
  return state_of(rollout) == "succeeded";
}

std::string progress_bar(double fraction, int width) {
  if (!std::isfinite(fraction)) fraction = 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  width = std::max(width, 1);
  const int filled = static_cast<int>(std::lround(fraction * width));
  return fmt::format("[{}{}]", std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(width - filled), '-'));
}

std::string rollout_progress_line(const nlohmann::json& rollout, bool with_bar) {
  const std::string service = field_text(rollout, "service");
  const std::string from = field_text(rollout, "from_revision");
  const std::string to = field_text(rollout, "revision");
  std::string line = from == kNone ? fmt::format("{} revision {}", service, to)
                                   : fmt::format("{} {}→{}", service, from, to);
  const auto desired = field_number(rollout, "desired");
  const auto updated = field_number(rollout, "updated");
  const auto ready = field_number(rollout, "ready");
  if (with_bar && desired && *desired > 0) {
    // Half the bar for starting new instances, half for their readiness.
    const double done = (updated.value_or(0) + ready.value_or(0)) / (2 * *desired);
    line += ' ' + progress_bar(done, 20);
  }
  line += fmt::format(" updated {}/{} ready {}/{}", field_text(rollout, "updated"),
                      field_text(rollout, "desired"), field_text(rollout, "ready"),
                      field_text(rollout, "desired"));
  const std::string phase = field_text(rollout, "phase");
  if (phase != kNone) line += fmt::format(" · {}", phase);
  return line;
}

namespace {

// "\nlast log lines of web/3:\n  ..." when a new instance made the rollout fail, else "".
std::string failed_instance_log(const nlohmann::json& rollout) {
  if (!rollout.is_object() || !rollout.contains("failed_instance_log") ||
      !rollout["failed_instance_log"].is_array() || rollout["failed_instance_log"].empty()) {
    return "";
  }
  std::string out = fmt::format("\nlast log lines of {}:", field_text(rollout, "failed_instance"));
  for (const nlohmann::json& line : rollout["failed_instance_log"]) {
    out += "\n  " + (line.is_string() ? line.get<std::string>() : line.dump());
  }
  return out;
}

}  // namespace

std::string rollout_summary(const nlohmann::json& rollout) {
  const std::string service = field_text(rollout, "service");
  const std::string state = state_of(rollout);
  const std::string to = field_text(rollout, "revision");
  const std::string from = field_text(rollout, "from_revision");
  std::string message = field_text(rollout, "message");
  // A success carries an empty message: no dangling ": ".
  const std::string because = message == kNone || message.empty() ? "" : ": " + message;
  // A rollout that made no revision (the spec already runs, at most the count changed).
  if (state == "succeeded" && to != kNone && to == from) {
    const std::string phase = field_text(rollout, "phase");
    if (phase == kNone || phase == "no change") {
      return fmt::format("{}: no change (already revision {})", service, to);
    }
    return fmt::format("{}: {} (revision {})", service, phase, to);
  }
  if (state == "succeeded") {
    return fmt::format("{}: rollout to revision {} succeeded{}", service, to, because);
  }
  if (state == "rolled_back") {
    return fmt::format("{}: rollout to revision {} rolled back to revision {}{}{}", service, to,
                       from, because, failed_instance_log(rollout));
  }
  if (state == "failed") {
    return fmt::format("{}: rollout to revision {} failed{}{}", service, to, because,
                       failed_instance_log(rollout));
  }
  return fmt::format("{}: rollout to revision {} is {}{}", service, to, state, because);
}

}  // namespace flotilla::app
