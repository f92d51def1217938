// `flotilla demo-app`: runs the bundled demo service (src/demo) in the foreground. Prints the
// one line tests and the supervisor read to learn the port; holds no demo logic itself.
#include <cstdio>
#include <system_error>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "demo/demo_server.hpp"

namespace flotilla::app {

int demo_app_command(const DemoAppOptions& options) {
  try {
    demo::DemoServer server({.host = options.host,
                             .port = static_cast<std::uint16_t>(options.port),
                             .threads = options.threads});
    const demo::DemoIdentity& id = server.identity();
    const bool ipv6 = id.host.find(':') != std::string::npos;
    fmt::print("demo-app listening on {}{}{}:{} (pid {})\n", ipv6 ? "[" : "", id.host,
               ipv6 ? "]" : "", id.port, id.pid);
    std::fflush(stdout);
    server.run();
    fmt::print(stderr, "demo-app: stopped\n");
    return kExitOk;
  } catch (const std::system_error& e) {
    fmt::print(stderr, "flotilla demo-app: cannot listen on {}:{}: {}\n", options.host,
               options.port, e.code().message());
    return kExitFailure;
  }
}

}  // namespace flotilla::app
