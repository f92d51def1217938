// flotilla as a systemd `Type=notify` service: READY=1 once it listens, RELOADING=1/READY=1
// around a reload, STOPPING=1 at shutdown, and WATCHDOG=1 pings from the control thread at
// half of WatchdogSec when the unit sets it (so a stuck control thread gets flotilla
// restarted). Does nothing when NOTIFY_SOCKET is not set (not started by systemd).
#pragma once

#include <chrono>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

namespace flotilla::app {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(asio::io_context& control) : timer_(control) {}

  // READY=1 with a STATUS= line; starts the watchdog pings when systemd asked for them.
  void ready(std::string_view status);
  void reloading();
  void stopping();
  // The interval between watchdog pings (half of WatchdogSec), zero when there is no watchdog.
  std::chrono::microseconds watchdog_interval() const { return interval_; }

 private:
  void schedule_ping();

  asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
  bool pinging_ = false;
};

}  // namespace flotilla::app
