// sd_notify(3) through libsystemd; every call is a no-op outside systemd.
#include "app/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace flotilla::app {

void SystemdNotifier::ready(std::string_view status) {
  const std::string message = fmt::format("READY=1\nSTATUS={}", status);
  if (::sd_notify(0, message.c_str()) > 0) spdlog::debug("systemd: READY=1 sent");
  if (pinging_) return;
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(usec / 2);
    pinging_ = true;
    spdlog::info("systemd watchdog: pinging every {} ms", interval_.count() / 1000);
    schedule_ping();
  }
}

void SystemdNotifier::reloading() {
  ::sd_notify(0, "RELOADING=1\nSTATUS=reloading");
}

void SystemdNotifier::stopping() {
  timer_.cancel();
  pinging_ = false;
  ::sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void SystemdNotifier::schedule_ping() {
  ::sd_notify(0, "WATCHDOG=1");
  timer_.expires_after(interval_);
  timer_.async_wait([this](std::error_code ec) {
    if (ec || !pinging_) return;
    schedule_ping();
  });
}

}  // namespace flotilla::app
