// `flotilla reload`: the running flotilla re-reads its config file. An invalid file changes
// nothing; its errors come back as FILE:LINE:COL: message lines, and the exit status is 1.
#include <fmt/core.h>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"

namespace flotilla::app {

int reload_command(const RemoteOptions& options) {
  return with_admin_client(options, "reload", [&](const admin::Client& client) {
    const admin::ClientResponse response = client.post("/api/v1/reload");
    const nlohmann::json& answer = response.json;
    if (response.status == 422 && answer.is_object()) {
      if (options.json) {
        print_json(answer);
        return kExitFailure;
      }
      fail("reload", response.error_message() + "; nothing changed", kExitFailure);
      if (answer.contains("diagnostics") && answer["diagnostics"].is_array()) {
        for (const nlohmann::json& diagnostic : answer["diagnostics"]) {
          fmt::print(stderr, "{}\n",
                     diagnostic.is_string() ? diagnostic.get<std::string>() : diagnostic.dump());
        }
      }
      return kExitFailure;
    }
    if (!response.ok()) return report_http_error("reload", response);
    if (options.json) {
      print_json(answer);
      return kExitOk;
    }
    std::vector<std::string> changed;
    if (answer.is_object() && answer.contains("changed") && answer["changed"].is_array()) {
      for (const nlohmann::json& item : answer["changed"]) {
        changed.push_back(item.is_string() ? item.get<std::string>() : item.dump());
      }
    }
    if (changed.empty()) {
      fmt::print("reloaded: no changes\n");
    } else {
      fmt::print("reloaded: changed {}\n", fmt::join(changed, ", "));
    }
    return kExitOk;
  });
}

}  // namespace flotilla::app
