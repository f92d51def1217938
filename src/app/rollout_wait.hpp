// Following a rollout from the CLI until it ends: polls GET .../rollout every 250 ms, draws a
// progress bar on a terminal (plain lines when piped), prints the outcome. Shared by
// rollout, rollback and restart.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "admin/client.hpp"
#include "app/commands.hpp"

namespace flotilla::app {

// `started` is the 202 answer (the rollout as it began); when it has already ended (a rollout
// that changed nothing) that is the outcome, without polling. Returns kExitOk when the rollout
// succeeded (or, when `started` has rollback_requested, rolled back as asked), kExitFailure
// when it rolled back, failed, or was followed by another rollout before its end was seen.
// With `json`, prints only the final rollout JSON.
int wait_for_rollout(const admin::Client& client, std::string_view command,
                     const std::string& service, const nlohmann::json& started, bool json);

// `flotilla rollout status SERVICE`: attaches to the service's running rollout and follows it
// like the command that started it (exit 0 when it succeeds); a finished one is reported at
// once with the same exit status; no rollout yet says so (exit 0).
int rollout_status_command(const RemoteOptions& remote, const std::string& service);

// Without waiting (--detach): "web: rollout to revision 4 started" or the JSON.
int report_rollout_started(const nlohmann::json& started, bool json);

}  // namespace flotilla::app
