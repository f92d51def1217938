// `flotilla init [--example demo|web|proxy] [-- COMMAND...]`: writes a commented starter
// flotilla.yaml that passes `flotilla check` as written. Refuses to replace an existing file
// unless --force; never starts anything.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/embedded_demo.hpp"
#include "app/exit_codes.hpp"

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHeader =
    R"(# flotilla.yaml: what flotilla runs and how traffic reaches it.
#   flotilla check     validate this file (errors as file:line:col)
#   flotilla up        run it in the foreground (Ctrl-C stops everything)
#   flotilla status    what runs, from another terminal
# Every key is described in docs/configuration.md; `x-` keys are ignored (for YAML anchors).
)";

// The gateway, the admin API and the state kept on disk: shared by every example.
constexpr std::string_view kFooter = R"(
# The admin API: dashboard, /metrics and `flotilla status/scale/rollout...`. Reads are open on
# this address; changes need the unix socket (flotilla.sock beside this file) or a token.
admin:
  listen: "127.0.0.1:9090"

# Revision history and instance logs (`flotilla logs web`) live here.
state_dir: .flotilla
)";

// A YAML flow list of double-quoted strings (JSON strings are valid YAML ones).
std::string yaml_list(const std::vector<std::string>& words) {
  std::string out = "[";
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += (i == 0 ? "" : ", ") + nlohmann::json(words[i]).dump();
  }
  return out + "]";
}

std::string web_example(const std::vector<std::string>& command) {
  const std::vector<std::string> argv =
      command.empty()
          ? std::vector<std::string>{"python3", "-m", "http.server", "$PORT", "--bind", "127.0.0.1"}
          : command;
  return fmt::format(R"(
# Where clients connect. Add `tls: {{ cert: cert.pem, key: key.pem }}` for HTTPS.
listen:
  - address: "127.0.0.1:8080"

services:
  web:
    # The app: each instance gets its own port in $PORT (and in the PORT variable).
    command: {}
    replicas: 2
    ports: 18100-18109          # one per instance, plus room for a rolling update
    # Without probes an instance is ready once its port accepts connections. With them:
    # probes:
    #   readiness: {{ http: /ready, period: 2s }}
    #   liveness:  {{ http: /health, period: 10s, failure_threshold: 3 }}
    restart: {{ policy: always, delay: 1s, max_delay: 30s }}
    stop: {{ signal: TERM, grace: 10s }}

# A pool of endpoints: here the ready instances of `web`.
upstreams:
  web:
    service: web
    balance: least_conn

# Which requests go where: first match wins.
routes:
  - match: {{ path: / }}
    upstream: web
    retry: {{ on: [error, timeout, http_502, http_503], tries: 2 }}
)",
                     yaml_list(argv));
}

std::string demo_example() {
  std::string demo = embedded_demo_config(self_executable());
  // Its first line describes the embedded demo; the header says what this file is.
  demo.erase(0, demo.find('\n') + 1);
  return "\n# The bundled demo app (`flotilla demo-app`), three replicas behind 127.0.0.1:8080.\n"
         "# Try: curl http://127.0.0.1:8080/api/hello\n" +
         demo;
}

constexpr std::string_view kProxyExample = R"(
# A gateway only: flotilla runs nothing, it proxies to servers that run elsewhere.
listen:
  - address: "127.0.0.1:8080"

upstreams:
  app:
    servers:
      - "127.0.0.1:8000"
      # - { address: "127.0.0.1:8001", backup: true }
    max_fails: 3
    fail_timeout: 30s

routes:
  - match: { path: / }
    upstream: app
    timeouts: { connect: 5s, read: 60s }
)";

}  // namespace

int init_command(const InitOptions& options) {
  std::string example = options.example;
  if (example.empty()) example = options.command.empty() ? "demo" : "web";
  if (!options.command.empty() && example != "web") {
    fmt::print(stderr, "flotilla init: a command runs in the web example, not in '{}'\n", example);
    return kExitUsage;
  }
  std::string body;
  if (example == "demo") {
    body = demo_example();
  } else if (example == "web") {
    body = web_example(options.command);
  } else if (example == "proxy") {
    body = std::string(kProxyExample);
  } else {
    fmt::print(stderr, "flotilla init: unknown example '{}' (demo, web or proxy)\n", example);
    return kExitUsage;
  }
  const std::string text = std::string(kHeader) + body + std::string(kFooter);
  if (options.stdout_only) {
    fmt::print("{}", text);
    return kExitOk;
  }
  std::error_code ec;
  if (fs::exists(options.path, ec) && !options.force) {
    fmt::print(stderr, "flotilla init: {} already exists; --force replaces it\n", options.path);
    return kExitFailure;
  }
  {
    std::ofstream out(options.path, std::ios::trunc);
    out << text;
    if (!out) {
      fmt::print(stderr, "flotilla init: cannot write {}\n", options.path);
      return kExitFailure;
    }
  }
  fmt::print("wrote {} ({} example)\n", options.path, example);
  bool mentions_port = options.command.empty();
  for (const std::string& word : options.command) {
    mentions_port = mentions_port || word.find("$PORT") != std::string::npos;
  }
  if (!mentions_port) {
    fmt::print(
        "note: the command does not mention $PORT; each instance must listen on its own port, "
        "given in $PORT (quote it, '$PORT', so your shell does not expand it)\n");
  }
  fmt::print("next: flotilla check && flotilla up\n");
  return kExitOk;
}

}  // namespace flotilla::app
