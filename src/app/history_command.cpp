// `flotilla history web`: the revisions flotilla keeps for a service (persisted on disk).
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/history_view.hpp"
#include "app/remote.hpp"

namespace flotilla::app {

int history_command(const HistoryOptions& options) {
  return with_admin_client(options.remote, "history", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.get(fmt::format("/api/v1/services/{}/revisions", url_encode(options.service)));
    if (!response.ok()) return report_http_error("history", response);
    if (options.remote.json) {
      print_json(response.json);
    } else {
      fmt::print("{}", render_history(response.json));
    }
    return kExitOk;
  });
}

}  // namespace flotilla::app
