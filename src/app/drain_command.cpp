// `flotilla drain web/2`: stop routing new requests to one instance; requests in flight finish.
// `flotilla undrain web/2` puts it back once it is ready.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/human_format.hpp"
#include "app/remote.hpp"
#include "config/units.hpp"

namespace flotilla::app {

int drain_command(const DrainOptions& options) {
  const char* verb = options.undrain ? "undrain" : "drain";
  const std::size_t slash = options.instance.rfind('/');
  const auto index = slash == std::string::npos
                         ? config::ParseResult<std::int64_t>(config::parse_error("missing /N"))
                         : config::parse_integer(options.instance.substr(slash + 1), 0, 1000000);
  if (slash == 0 || !index) {
    return fail(verb, fmt::format("'{}': expected SERVICE/N, e.g. web/2", options.instance),
                kExitUsage);
  }
  const std::string service = options.instance.substr(0, slash);
  return with_admin_client(options.remote, verb, [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.post(fmt::format("/api/v1/instances/{}/{}/{}", url_encode(service), *index, verb));
    if (!response.ok()) return report_http_error(verb, response);
    if (options.remote.json) {
      print_json(response.json);
    } else {
      fmt::print("{}: {}\n", field_text(response.json, "instance"),
                 field_text(response.json, "state"));
    }
    return kExitOk;
  });
}

}  // namespace flotilla::app
