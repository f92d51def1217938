// `flotilla rollout web [--command '…'] [--env K=V …] [--replicas N] [--detach]`: start a new
// revision and, unless --detach, follow it to the end (exit 1 when it rolled back or failed).
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/rollout_wait.hpp"

namespace flotilla::app {

int rollout_command(const RolloutOptions& options) {
  nlohmann::json body = nlohmann::json::object();
  if (options.command) body["command"] = *options.command;
  if (!options.env.empty()) {
    nlohmann::json env = nlohmann::json::object();
    for (const std::string& assignment : options.env) {
      const std::size_t eq = assignment.find('=');
      if (eq == 0 || eq == std::string::npos) {
        return fail("rollout", fmt::format("--env '{}': expected NAME=VALUE", assignment),
                    kExitUsage);
      }
      env[assignment.substr(0, eq)] = assignment.substr(eq + 1);
    }
    body["env"] = std::move(env);
  }
  if (options.replicas) body["replicas"] = *options.replicas;
  return with_admin_client(options.remote, "rollout", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.post(fmt::format("/api/v1/services/{}/rollout", url_encode(options.service)), body);
    if (!response.ok()) return report_http_error("rollout", response);
    if (options.detach) return report_rollout_started(response.json, options.remote.json);
    return wait_for_rollout(client, "rollout", options.service, response.json, options.remote.json);
  });
}

}  // namespace flotilla::app
