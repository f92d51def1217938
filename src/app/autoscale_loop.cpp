// The autoscaler's loop on the control thread (see autoscale_loop.hpp): wake at the earliest
// due service (at least every second, so a reload's new sync_period is picked up), gather the
// gateway's per-instance traffic once, evaluate every due service and scale.
#include "app/autoscale_loop.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>

#include "app/runtime.hpp"
#include "app/status_json.hpp"
#include "net/async.hpp"

namespace flotilla::app {

using autoscale::Clock;
using nlohmann::json;

struct AutoscaleLoop::State {
  struct Service {
    autoscale::ServiceAutoscaler scaler;
    autoscale::MetricSampler sampler;
    Clock::time_point next_due{};
    std::uint64_t scaled_up = 0;
    std::uint64_t scaled_down = 0;
    std::string last_logged;  // the condition last written to the log
  };

  explicit State(Runtime& r) : runtime(r), timer(r.control()) {}
  Runtime& runtime;
  asio::steady_timer timer;
  bool running = false;
  std::map<std::string, Service> services;
};

namespace {

constexpr std::chrono::seconds kLongestSleep{1};

// Requests and in-flight per instance key, over every upstream that routes to it.
std::map<std::string, autoscale::TrafficReading> traffic_by_instance(
    const std::optional<observe::GatewayStats>& stats) {
  std::map<std::string, autoscale::TrafficReading> out;
  if (!stats) return out;
  for (const observe::EndpointStats& endpoint : stats->endpoints) {
    autoscale::TrafficReading& reading = out[endpoint.endpoint];
    reading.requests += endpoint.requests;
    reading.in_flight += endpoint.in_flight;
  }
  return out;
}

void evaluate(AutoscaleLoop::State& state, const supervisor::ServiceStatus& status,
              const config::Service& spec,
              const std::map<std::string, autoscale::TrafficReading>& traffic,
              Clock::time_point now) {
  AutoscaleLoop::State::Service& service = state.services[status.name];
  const config::Autoscale& settings = *spec.autoscale;
  service.next_due = now + settings.sync_period;
  if (status.stopped_from) return;  // `flotilla stop`ped: nothing runs until `start`
  const std::vector<autoscale::MetricSamples> metrics =
      service.sampler.sample(now, spec, status.instances, traffic);
  const bool rollout_running =
      status.rollout && status.rollout->state == supervisor::RolloutState::running;
  const autoscale::Decision decision = service.scaler.evaluate(
      now, std::chrono::system_clock::now(), spec.replicas, rollout_running, metrics, settings);
  if (!decision.changes()) {
    // Steady state is not news: the log says when the picture changes, debug says every round.
    if (decision.condition != service.last_logged) {
      spdlog::info("autoscaler: service {}: {}", status.name, decision.reason);
      service.last_logged = decision.condition;
    } else {
      spdlog::debug("autoscaler: service {}: {}", status.name, decision.reason);
    }
    return;
  }
  const auto scaled = state.runtime.supervisor().scale(status.name, decision.desired);
  if (!scaled) {
    spdlog::warn("autoscaler: service {}: {}; the scale failed: {}", status.name, decision.reason,
                 scaled.error().message);
    service.last_logged.clear();
    return;
  }
  service.scaler.applied(now, decision, settings);
  (decision.desired > decision.current ? service.scaled_up : service.scaled_down) += 1;
  service.last_logged = decision.condition;
  spdlog::info("autoscaler: service {}: {}", status.name, decision.reason);
}

asio::awaitable<void> run(std::shared_ptr<AutoscaleLoop::State> state) {
  while (state->running) {
    supervisor::Supervisor& supervisor = state->runtime.supervisor();
    Clock::time_point now = Clock::now();
    Clock::time_point wake = now + kLongestSleep;
    bool any_due = false;
    for (const supervisor::ServiceStatus& status : supervisor.service_status()) {
      const auto spec = supervisor.current_spec(status.name);
      if (!spec || !spec->autoscale) continue;
      const auto it = state->services.find(status.name);
      if (it == state->services.end() || it->second.next_due <= now) {
        any_due = true;
      } else {
        wake = std::min(wake, it->second.next_due);
      }
    }
    if (any_due) {
      const std::optional<observe::GatewayStats> stats =
          co_await state->runtime.collect_gateway_stats();
      if (!state->running) co_return;
      const auto traffic = traffic_by_instance(stats);
      now = Clock::now();
      // Services may have changed while the stats were gathered: read them again.
      std::vector<std::string> present;
      for (const supervisor::ServiceStatus& status : supervisor.service_status()) {
        const auto spec = supervisor.current_spec(status.name);
        if (!spec || !spec->autoscale) continue;
        present.push_back(status.name);
        const auto it = state->services.find(status.name);
        if (it == state->services.end() || it->second.next_due <= now) {
          evaluate(*state, status, spec.value(), traffic, now);
        }
        wake = std::min(wake, state->services[status.name].next_due);
      }
      // A service removed, or whose autoscale was turned off, starts afresh if it comes back.
      std::erase_if(state->services, [&](const auto& entry) {
        return std::find(present.begin(), present.end(), entry.first) == present.end();
      });
    }
    state->timer.expires_at(std::max(wake, Clock::now() + std::chrono::milliseconds(10)));
    co_await state->timer.async_wait(net::use_nothrow);  // cancelled by stop()
  }
}

json decision_json(const autoscale::Decision& d) {
  json out = json::object();
  out["time"] = time_json(d.time);
  out["from"] = d.current;
  out["to"] = d.desired;
  out["condition"] = d.condition;
  out["reason"] = d.reason;
  return out;
}

}  // namespace

AutoscaleLoop::AutoscaleLoop(Runtime& runtime) : state_(std::make_shared<State>(runtime)) {}

AutoscaleLoop::~AutoscaleLoop() {
  stop();
}

void AutoscaleLoop::start() {
  if (state_->running) return;
  state_->running = true;
  asio::co_spawn(state_->timer.get_executor(), run(state_), asio::detached);
}

void AutoscaleLoop::stop() {
  state_->running = false;
  state_->timer.cancel();
}

json AutoscaleLoop::service_json(const std::string& name) const {
  const auto spec = state_->runtime.supervisor().current_spec(name);
  if (!spec || !spec->autoscale) return nullptr;
  const config::Autoscale& settings = *spec->autoscale;
  json out = json::object();
  out["min"] = settings.min;
  out["max"] = settings.max;
  out["current"] = spec->replicas;
  out["sync_period_seconds"] = std::chrono::duration<double>(settings.sync_period).count();
  const auto it = state_->services.find(name);
  const autoscale::ServiceAutoscaler* scaler =
      it != state_->services.end() ? &it->second.scaler : nullptr;
  const autoscale::Decision* last = scaler && scaler->last() ? &*scaler->last() : nullptr;
  out["desired"] = last ? last->desired : spec->replicas;
  out["recommendation"] =
      last && last->recommendation ? json(*last->recommendation) : json(nullptr);
  out["condition"] = last ? last->condition : "NotYetEvaluated";
  out["reason"] = last ? last->reason : "waiting for the first evaluation";
  out["evaluated"] = last ? time_json(last->time) : json(nullptr);
  json metrics = json::array();
  auto target_of = [&](std::string_view metric) -> std::optional<double> {
    if (metric == "cpu") return settings.cpu_percent;
    if (metric == "memory") return settings.memory_percent;
    if (metric == "rps") return settings.rps_per_instance;
    return settings.inflight_per_instance;
  };
  for (const std::string_view metric : {"cpu", "memory", "rps", "inflight"}) {
    const std::optional<double> target = target_of(metric);
    if (!target) continue;
    json m = json::object();
    m["name"] = metric;
    m["target"] = *target;
    m["value"] = nullptr;
    m["proposal"] = nullptr;
    m["ready"] = 0;
    if (last) {
      for (const autoscale::MetricStatus& status : last->metrics) {
        if (status.name != metric) continue;
        m["value"] = status.value ? json(*status.value) : json(nullptr);
        m["proposal"] = status.proposal ? json(*status.proposal) : json(nullptr);
        m["ready"] = status.ready;
      }
    }
    metrics.push_back(std::move(m));
  }
  out["metrics"] = std::move(metrics);
  json decisions = json::array();
  if (scaler) {
    for (const autoscale::Decision& d : scaler->changes()) decisions.push_back(decision_json(d));
  }
  out["decisions"] = std::move(decisions);
  out["scaled_up"] = it != state_->services.end() ? it->second.scaled_up : 0;
  out["scaled_down"] = it != state_->services.end() ? it->second.scaled_down : 0;
  return out;
}

void AutoscaleLoop::append_metrics(observe::MetricsView& view) const {
  using observe::family;
  using observe::MetricType;
  auto current = family("flotilla_autoscaler_current_replicas",
                        "Instances the autoscaled service is set to run now.", MetricType::gauge);
  auto desired = family("flotilla_autoscaler_desired_replicas",
                        "Instances the autoscaler's last evaluation asked for.", MetricType::gauge);
  auto min =
      family("flotilla_autoscaler_min_replicas", "The autoscale block's min.", MetricType::gauge);
  auto max =
      family("flotilla_autoscaler_max_replicas", "The autoscale block's max.", MetricType::gauge);
  auto value = family("flotilla_autoscaler_metric_value",
                      "The last evaluation's average over ready instances (cpu and memory in "
                      "percent of the request, rps per second, inflight requests).",
                      MetricType::gauge);
  auto target = family("flotilla_autoscaler_metric_target",
                       "The autoscale block's target per metric, in the units of "
                       "flotilla_autoscaler_metric_value.",
                       MetricType::gauge);
  auto events =
      family("flotilla_autoscaler_scale_events_total",
             "Times the autoscaler changed the count, by direction.", MetricType::counter);
  for (const supervisor::ServiceStatus& status : state_->runtime.supervisor().service_status()) {
    const json s = service_json(status.name);
    if (s.is_null()) continue;
    const observe::Labels labels{{"service", status.name}};
    current.samples.push_back({current.name, labels, s["current"].get<double>()});
    desired.samples.push_back({desired.name, labels, s["desired"].get<double>()});
    min.samples.push_back({min.name, labels, s["min"].get<double>()});
    max.samples.push_back({max.name, labels, s["max"].get<double>()});
    for (const json& m : s["metrics"]) {
      const observe::Labels metric_labels{{"metric", m["name"].get<std::string>()},
                                          {"service", status.name}};
      target.samples.push_back({target.name, metric_labels, m["target"].get<double>()});
      if (!m["value"].is_null()) {
        value.samples.push_back({value.name, metric_labels, m["value"].get<double>()});
      }
    }
    for (const char* direction : {"down", "up"}) {
      const std::string key = std::string("scaled_") + direction;
      events.samples.push_back({events.name,
                                {{"direction", direction}, {"service", status.name}},
                                s[key].get<double>()});
    }
  }
  if (current.samples.empty()) return;
  for (auto* f : {&current, &desired, &min, &max, &value, &target, &events}) {
    view.push_back(std::move(*f));
  }
}

}  // namespace flotilla::app
