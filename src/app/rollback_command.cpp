// `flotilla rollback web [--to N] [--detach]`: roll out an earlier revision (the previous one
// by default) and follow it like `flotilla rollout`.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/rollout_wait.hpp"

namespace flotilla::app {

int rollback_command(const RollbackOptions& options) {
  nlohmann::json body = nlohmann::json::object();
  if (options.to) body["to"] = *options.to;
  return with_admin_client(options.remote, "rollback", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.post(fmt::format("/api/v1/services/{}/rollback", url_encode(options.service)), body);
    if (!response.ok()) return report_http_error("rollback", response);
    if (options.detach) return report_rollout_started(response.json, options.remote.json);
    return wait_for_rollout(client, "rollback", options.service, response.json,
                            options.remote.json);
  });
}

}  // namespace flotilla::app
