// The running flotilla behind `flotilla up`: wires the supervisor, the gateway and the active
// health checker together on one control thread and owns the shutdown order. Wiring only — each
// piece's behaviour lives in its own module.
#pragma once

#include <chrono>

#include "config/spec.hpp"

namespace flotilla::app {

struct RuntimeOptions {
  bool embedded_demo = false;  // print the demo's "where is everything" banner
  std::chrono::seconds drain_grace{30};
};

// Runs until SIGTERM/SIGINT: stop accepting → finish in-flight requests → stop every instance →
// return 0. Returns non-zero (after printing why) when the configuration cannot be started.
int run_flotilla(const config::Spec& spec, const RuntimeOptions& options);

}  // namespace flotilla::app
