// `flotilla status`: services → instances, upstreams → endpoints, listeners and alerts of the
// running flotilla, as tables (or --json, the server's answer verbatim).
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/status_view.hpp"

namespace flotilla::app {

int status_command(const RemoteOptions& options) {
  return with_admin_client(options, "status", [&](const admin::Client& client) {
    const admin::ClientResponse response = client.get("/api/v1/status");
    if (!response.ok()) return report_http_error("status", response);
    if (options.json) {
      print_json(response.json);
    } else {
      fmt::print("{}", render_status(response.json));
    }
    return kExitOk;
  });
}

}  // namespace flotilla::app
