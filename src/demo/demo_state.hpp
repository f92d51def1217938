// The demo app's identity and its runtime switches (ready, healthy, injected failures, delay):
// plain data shared by every connection thread, hence atomics. Never holds behaviour.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace flotilla::demo {

// Fixed once the listener is bound; read-only afterwards.
struct DemoIdentity {
  std::string host;
  std::uint16_t port = 0;
  int pid = 0;
  std::string instance;  // $FLOTILLA_INSTANCE at start ("" if unset)
  std::string revision;  // $FLOTILLA_REVISION at start ("" if unset)
};

// Flipped by /admin/* requests, read by every request: relaxed atomics are enough, since each
// switch is independent and tests only need a later request to see an earlier change.
struct DemoSwitches {
  std::atomic<bool> ready{true};
  std::atomic<bool> healthy{true};
  std::atomic<int> fail_status{500};
  std::atomic<double> fail_rate{0.0};     // fraction of /api/* requests answered fail_status
  std::atomic<std::uint64_t> slow_ms{0};  // added to every /api/* request
};

}  // namespace flotilla::demo
