// `flotilla restart web [--detach]`: a rolling restart (the current revision rolled out again),
// followed like `flotilla rollout`.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/rollout_wait.hpp"

namespace flotilla::app {

int restart_command(const RestartOptions& options) {
  return with_admin_client(options.remote, "restart", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.post(fmt::format("/api/v1/services/{}/restart", url_encode(options.service)));
    if (!response.ok()) return report_http_error("restart", response);
    if (options.detach) return report_rollout_started(response.json, options.remote.json);
    return wait_for_rollout(client, "restart", options.service, response.json, options.remote.json);
  });
}

}  // namespace flotilla::app
