// nginx's passive health check (max_fails / fail_timeout) for one endpoint, reproducing
// ngx_http_upstream_round_robin's `fails`, `accessed` and `checked` exactly. No clock of its own.
#pragma once

#include <cstdint>

#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

struct PassiveHealthSettings {
  std::uint32_t max_fails = 1;  // 0 disables
  Duration fail_timeout{std::chrono::seconds(10)};
};

// The rules, in nginx's terms:
// - every failure increments `fails` and sets `accessed` and `checked` to now;
// - the endpoint is unavailable while fails >= max_fails and at most fail_timeout has passed
//   since `checked`;
// - when the endpoint is picked and more than fail_timeout has passed since `checked`, `checked`
//   becomes now. For a down endpoint that pick is its one trial request: it makes the endpoint
//   unavailable to every other request for another fail_timeout;
// - a success clears `fails` only if a pick has set `checked` after the last failure
//   (accessed < checked). So failures add up while each comes within fail_timeout of the
//   previous one, successes in between do not forgive them, and a successful trial restores
//   the endpoint.
class PassiveHealth {
 public:
  bool available(TimePoint now, const PassiveHealthSettings& settings) const;
  bool down(TimePoint now, const PassiveHealthSettings& settings) const {
    return !available(now, settings);
  }
  void on_picked(TimePoint now, const PassiveHealthSettings& settings);
  void on_failure(TimePoint now);
  // True when this success brought back an endpoint that had reached max_fails.
  bool on_success(const PassiveHealthSettings& settings);
  // nginx's "all peers failed, mark them as live for quick recovery".
  void forgive() { fails_ = 0; }

  std::uint32_t fails() const { return fails_; }

 private:
  std::uint32_t fails_ = 0;
  TimePoint accessed_{};
  TimePoint checked_{};
};

}  // namespace flotilla::upstream
