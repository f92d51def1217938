// flotilla's built-in rule evaluation, on the control thread's io_context: every
// alerts.evaluation_interval it takes a MetricsView from `scrape`, stores it, evaluates every
// rule (defaults + user rules) and sends firing/resolved alerts to Alertmanager when
// alertmanager.url is set. Never blocks: the only I/O is the asynchronous Alertmanager client.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <asio/io_context.hpp>

#include "config/spec.hpp"
#include "observe/alerts/alert_status.hpp"
#include "observe/sample.hpp"

namespace flotilla::observe {

class AlertEngine {
 public:
  using Scrape = std::function<MetricsView()>;

  // Parses every rule (throws std::invalid_argument for an expression the config loader would
  // have refused, or an unusable alertmanager.url). `scrape` runs on `io`'s thread.
  AlertEngine(asio::io_context& io, const config::Spec& spec, Scrape scrape);
  ~AlertEngine();  // stops
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Evaluates at once, then every evaluation_interval, until stop().
  void start();
  void stop();

  // Pending and firing alerts, and resolved ones for 15 minutes after (state inactive), rule
  // order. Safe from any thread.
  std::vector<AlertStatus> alerts() const;
  // One entry per rule, with its most severe state and last error. Safe from any thread.
  std::vector<RuleStatus> rules() const;

  // How many evaluations have run; Alertmanager delivery counters.
  std::uint64_t evaluations() const;
  std::uint64_t alertmanager_batches_sent() const;

  struct State;  // shared with the evaluation coroutine

 private:
  std::shared_ptr<State> state_;
};

}  // namespace flotilla::observe
