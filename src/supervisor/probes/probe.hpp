// The probe-kind interface: one check of one instance (http, tcp or exec, one file each), and the
// factory choosing the kind from the config. A check never throws and never outlives its timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "config/spec.hpp"

namespace flotilla::supervisor {

class Reaper;

struct ProbeResult {
  bool ok = false;
  std::string
      detail;  // why it failed ("status 503", "connection refused", "timeout", "exit code 1")
};

class ProbeCheck {
 public:
  virtual ~ProbeCheck() = default;
  virtual asio::awaitable<ProbeResult> run() = 0;
};

// Where and how a probe reaches its instance.
struct ProbeTarget {
  asio::any_io_executor executor;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // probe.port, else the instance's port; 0 = none (worker)
  std::chrono::milliseconds timeout{1000};
  // exec probes: the command with $PORT/$INSTANCE expanded, its environment and cwd, and the
  // reaper that reports its exit.
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V"
  std::string cwd;
  Reaper* reaper = nullptr;
};

std::unique_ptr<ProbeCheck> make_http_probe(ProbeTarget target, std::string path,
                                            std::vector<int> expected_status);
std::unique_ptr<ProbeCheck> make_tcp_probe(ProbeTarget target);
std::unique_ptr<ProbeCheck> make_exec_probe(ProbeTarget target);

inline std::unique_ptr<ProbeCheck> make_probe(const config::Probe& probe, ProbeTarget target) {
  switch (probe.kind) {
    case config::ProbeKind::http:
      return make_http_probe(std::move(target), probe.http_path, probe.http_status);
    case config::ProbeKind::tcp:
      return make_tcp_probe(std::move(target));
    case config::ProbeKind::exec:
      return make_exec_probe(std::move(target));
  }
  return nullptr;
}

}  // namespace flotilla::supervisor
