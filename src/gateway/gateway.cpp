#include "gateway/gateway.hpp"

#include "gateway/proxy/crash_verdict.hpp"

#include "tls/server_context.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "gateway/connection_limits.hpp"
#include "net/async.hpp"
#include "net/reuseport_acceptor.hpp"

namespace flotilla::gateway {
namespace {

asio::awaitable<void> accept_loop(Worker& worker, asio::ip::tcp::acceptor& acceptor,
                                  std::uint32_t listener_index) {
  asio::steady_timer pause(worker.context());
  asio::ip::tcp::endpoint peer;
  for (;;) {
    // Accepted with the worker's own executor type (net::Socket), and the peer's address from
    // accept() itself: no getpeername per connection.
    auto [ec, socket] = co_await acceptor.async_accept(worker.context(), peer, net::use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off instead of spinning; connections wait in the backlog.
      spdlog::warn("accept on {}: {}", acceptor.local_endpoint(ec).port(), ec.message());
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(net::use_nothrow);
      continue;
    }
    worker.serve(std::move(socket), peer, listener_index);
  }
}

// The query-of-death rule's counters (kept by the CrashLedger on the control thread), one
// series per service that ever had a suspect.
void append_crash_metrics(observe::MetricsView& view,
                          const std::map<std::string, CrashCounts>& counts) {
  observe::MetricFamily suspects = observe::family(
      "flotilla_crash_suspect_requests_total",
      "Requests whose connection broke because their supervised instance crashed by itself "
      "(exited, died of a fault signal, was OOM-killed) while holding them.",
      observe::MetricType::counter);
  observe::MetricFamily refused = observe::family(
      "flotilla_crash_refused_requests_total",
      "Suspects not replayed (answered 502): the only request the crashed instance held, or "
      "one in its second crash.",
      observe::MetricType::counter);
  for (const auto& [service, count] : counts) {
    const observe::Labels labels{{"service", service}};
    suspects.samples.push_back({suspects.name, labels, static_cast<double>(count.suspects)});
    refused.samples.push_back({refused.name, labels, static_cast<double>(count.refused)});
  }
  view.push_back(std::move(suspects));
  view.push_back(std::move(refused));
}

}  // namespace

Gateway::Gateway(std::vector<ListenerSettings> listeners, std::uint32_t workers)
    : listeners_(std::move(listeners)), pool_(std::make_unique<net::WorkerPool>(workers)) {
  const bool limited = std::any_of(listeners_.begin(), listeners_.end(), [](const auto& l) {
    return l.max_connections != 0 || l.max_connections_per_client != 0 ||
           l.max_connections_global != 0;
  });
  if (limited) connection_limits_ = std::make_unique<ConnectionLimits>(listeners_);
  for (std::uint32_t i = 0; i < pool_->size(); ++i) {
    workers_.push_back(std::make_unique<Worker>(pool_->context(i), i, listeners_));
    workers_.back()->set_connection_limits(connection_limits_.get());
  }
}

Gateway::~Gateway() {
  tear_down();
}

bool Gateway::bind(std::string& error) {
  acceptors_.resize(workers_.size());
  for (std::size_t l = 0; l < listeners_.size(); ++l) {
    asio::ip::tcp::endpoint endpoint = listeners_[l].endpoint;
    // A running flotilla (or anything else) on this port: fail like nginx instead of joining
    // its SO_REUSEPORT group and splitting its traffic.
    if (const std::error_code ec = net::probe_exclusive_port(endpoint)) {
      error = fmt::format("cannot listen on {}:{}: {}", endpoint.address().to_string(),
                          endpoint.port(), ec.message());
      return false;
    }
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      std::error_code ec;
      auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(
          net::open_reuseport_acceptor(pool_->context(w), endpoint, ec));
      if (ec) {
        error = fmt::format("cannot listen on {}:{}: {}", endpoint.address().to_string(),
                            endpoint.port(), ec.message());
        return false;
      }
      // Port 0: every worker must share the port the first one got.
      endpoint = acceptor->local_endpoint();
      acceptors_[w].push_back(std::move(acceptor));
    }
    listeners_[l].endpoint = endpoint;
  }
  // Metric labels: the address as configured, or as bound when the config said port 0.
  std::vector<std::string> names;
  for (const ListenerSettings& listener : listeners_) {
    const asio::ip::address address = listener.endpoint.address();
    names.push_back(!listener.name.ends_with(":0") ? listener.name
                    : address.is_v6()
                        ? fmt::format("[{}]:{}", address.to_string(), listener.endpoint.port())
                        : fmt::format("{}:{}", address.to_string(), listener.endpoint.port()));
  }
  for (auto& worker : workers_) worker->name_listeners(names);
  return true;
}

std::vector<asio::ip::tcp::endpoint> Gateway::bound_endpoints() const {
  std::vector<asio::ip::tcp::endpoint> endpoints;
  for (const ListenerSettings& listener : listeners_) endpoints.push_back(listener.endpoint);
  return endpoints;
}

std::vector<std::string> Gateway::listener_protocols() const {
  std::vector<std::string> out;
  for (const ListenerSettings& listener : listeners_) {
    out.emplace_back(!listener.http2 ? "http/1.1" : listener.tls ? "h2,http/1.1" : "h2c,http/1.1");
  }
  return out;
}

void Gateway::publish(SnapshotPtr snapshot) {
  published_ = snapshot;
  for (auto& worker : workers_) {
    if (!started_) {
      worker->install(snapshot);
      continue;
    }
    asio::post(worker->context(), [w = worker.get(), snapshot] { w->install(snapshot); });
  }
}

void Gateway::rotate_ticket_keys() {
  std::shared_ptr<const tls::TicketKeys> next = tls::TicketKeys::next(ticket_keys_.get());
  if (!next) {
    spdlog::warn("no new TLS session ticket key: the random generator failed; keeping the old one");
    return;
  }
  ticket_keys_ = next;
  for (auto& worker : workers_) {
    asio::post(worker->context(), [next] { tls::install_thread_ticket_keys(next); });
  }
}

void Gateway::set_active_health(const std::string& upstream, const std::string& endpoint_key,
                                bool up) {
  for (auto& worker : workers_) {
    asio::post(worker->context(), [w = worker.get(), upstream, endpoint_key, up] {
      w->set_active_health(upstream, endpoint_key, up);
    });
  }
}

void Gateway::enable_crash_verdicts(asio::any_io_executor control) {
  std::vector<asio::io_context*> contexts;
  for (auto& worker : workers_) contexts.push_back(&worker->context());
  crash_ledger_ = std::make_shared<CrashLedger>(
      control, [contexts](std::uint32_t w, std::uint64_t token, CrashAnswer answer) {
        if (w >= contexts.size()) return;
        asio::post(*contexts[w], [token, answer] { answer_thread_crash_wait(token, answer); });
      });
  const std::weak_ptr<CrashLedger> ledger = crash_ledger_;
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    CrashReporter reporter = [control, ledger, w = static_cast<std::uint32_t>(w)](
                                 std::uint64_t endpoint, std::uint64_t token, bool suspect) {
      asio::post(control, [ledger, w, endpoint, token, suspect] {
        if (const auto alive = ledger.lock()) alive->report(endpoint, w, token, suspect);
      });
    };
    asio::post(workers_[w]->context(),
               [reporter = std::move(reporter)] { install_thread_crash_reporter(reporter); });
  }
}

void Gateway::run_ended(const std::string& address, const std::string& service, bool crashed) {
  if (crash_ledger_) crash_ledger_->run_ended(CrashLedger::endpoint_key(address), service, crashed);
}

std::map<std::string, CrashCounts> Gateway::crash_counts() const {
  return crash_ledger_ ? crash_ledger_->counts() : std::map<std::string, CrashCounts>{};
}

void Gateway::close_crash_verdicts() {
  if (crash_ledger_) crash_ledger_->close();
}

bool Gateway::open_access_log(const config::AccessLog& settings, std::string& error) {
  if (started_ || access_log_) {
    error = "access_log: must be opened once, before the gateway starts";
    return false;
  }
  access_log_ = observe::AccessLogWriter::open(settings, error);
  if (!access_log_) return false;
  for (auto& worker : workers_) worker->enable_access_log(*access_log_);
  return true;
}

void Gateway::collect(asio::any_io_executor control,
                      std::function<void(observe::GatewayStats)> done) {
  if (!started_ || !pool_) {
    // No worker thread runs: their state can be read from here.
    std::vector<WorkerStats> parts;
    for (auto& worker : workers_) parts.push_back(worker->stats());
    asio::post(control, [done = std::move(done), parts = std::move(parts)] {
      done(merge_worker_stats(parts));
    });
    return;
  }
  // Only the control thread touches the gather (answers are posted back to it): no lock.
  struct Gather {
    std::vector<WorkerStats> parts;
    std::size_t waiting;
    std::function<void(observe::GatewayStats)> done;
  };
  auto gather = std::make_shared<Gather>(
      Gather{std::vector<WorkerStats>(workers_.size()), workers_.size(), std::move(done)});
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    asio::post(workers_[w]->context(), [worker = workers_[w].get(), w, gather, control] {
      asio::post(control, [w, gather, stats = worker->stats()]() mutable {
        gather->parts[w] = std::move(stats);
        if (--gather->waiting == 0) gather->done(merge_worker_stats(gather->parts));
      });
    });
  }
}

void Gateway::collect_metrics(asio::any_io_executor control,
                              std::function<void(observe::MetricsView)> done) {
  collect(std::move(control), [this, done = std::move(done)](observe::GatewayStats stats) {
    observe::MetricsView view = observe::gateway_metrics_view(stats);
    append_crash_metrics(view, crash_counts());
    done(std::move(view));
  });
}

void Gateway::start() {
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    for (std::uint32_t l = 0; l < acceptors_[w].size(); ++l) {
      asio::co_spawn(pool_->context(w), accept_loop(*workers_[w], *acceptors_[w][l], l),
                     asio::detached);
    }
  }
  started_ = true;
  pool_->start();
}

void Gateway::drain_and_stop(std::chrono::milliseconds grace) {
  if (!started_) return;
  for (std::size_t w = 0; w < workers_.size(); ++w) {
    asio::post(pool_->context(w), [this, w] {
      for (auto& acceptor : acceptors_[w]) {
        std::error_code ignored;
        acceptor->close(ignored);
      }
      workers_[w]->begin_drain();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t active = 0;
    for (auto& worker : workers_) active += worker->active_connections_relaxed();
    if (active == 0 || drain_cut_.load(std::memory_order_relaxed)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  tear_down();
}

void Gateway::tear_down() {
  if (!pool_) return;
  pool_->stop_and_join();
  // Threads are gone. Worker-owned I/O objects go first, while their context still exists; then
  // the contexts, whose destruction frees the remaining coroutine frames (sessions detach from
  // workers that are still alive); the workers last.
  for (auto& worker : workers_) worker->shut_down();
  acceptors_.clear();
  pool_.reset();
  workers_.clear();
}

}  // namespace flotilla::gateway
