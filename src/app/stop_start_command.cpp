// `flotilla stop web` / `flotilla start web`: stop every instance of a service gracefully while
// flotilla keeps the replica count, and bring that count back (docker compose stop/start,
// systemctl stop/start). Several services may be named; each is reported on its own line.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/human_format.hpp"
#include "app/remote.hpp"

namespace flotilla::app {

int stop_start_command(const StopStartOptions& options) {
  const char* verb = options.start ? "start" : "stop";
  return with_admin_client(options.remote, verb, [&](const admin::Client& client) {
    int code = kExitOk;
    for (const std::string& service : options.services) {
      const admin::ClientResponse response =
          client.post(fmt::format("/api/v1/services/{}/{}", url_encode(service), verb));
      if (!response.ok()) {
        code = report_http_error(verb, response);
        continue;
      }
      if (options.remote.json) {
        print_json(response.json);
        continue;
      }
      const bool changed = !response.json.is_object() || !response.json.contains("changed") ||
                           response.json["changed"] != false;
      const std::string replicas = field_text(response.json, "replicas");
      if (options.start) {
        fmt::print("{}: {}\n", service,
                   changed ? fmt::format("started ({} instance(s))", replicas)
                           : fmt::format("already running ({} instance(s))", replicas));
      } else {
        fmt::print("{}: {}\n", service,
                   changed ? fmt::format("stopped ({} instance(s); `flotilla start {}` brings "
                                         "them back)",
                                         replicas, service)
                           : fmt::format("already stopped (start brings back {})", replicas));
      }
    }
    return code;
  });
}

}  // namespace flotilla::app
