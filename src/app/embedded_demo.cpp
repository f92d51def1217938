#include "app/embedded_demo.hpp"

#include <unistd.h>

#include <array>

#include <fmt/format.h>

namespace flotilla::app {

std::string embedded_demo_config(std::string_view self_exe) {
  return fmt::format(R"(# flotilla's embedded demo: `flotilla up` with no flotilla.yaml around.
listen:
  - address: "127.0.0.1:8080"
    health: /healthz
    ready: /readyz
services:
  demo:
    command: ["{}", "demo-app", "--port", "$PORT"]
    replicas: 3
    ports: 18081-18099
    probes:
      readiness: {{ http: /ready, period: 1s, failure_threshold: 1 }}
      liveness: {{ http: /health, period: 2s, failure_threshold: 3 }}
    restart: {{ policy: always, delay: 1s, max_delay: 30s }}
    stop: {{ signal: TERM, grace: 5s }}
upstreams:
  demo:
    service: demo
    balance: least_conn
routes:
  - match: {{ path: / }}
    upstream: demo
    retry: {{ on: [error, timeout, http_502, http_503], tries: 3 }}
)",
                     self_exe);
}

std::string self_executable(std::string_view argv0) {
  std::array<char, 4096> path{};
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) return std::string(argv0);
  return std::string(path.data(), static_cast<std::size_t>(n));
}

}  // namespace flotilla::app
