#include "observe/alerts/alertmanager_client.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <nlohmann/json.hpp>

#include "observe/http_exchange.hpp"

namespace flotilla::observe {
namespace {

// Alertmanager's own queue bound is 10000 alerts (Prometheus
// --alertmanager.notification-queue-capacity).
constexpr std::size_t kMaxQueuedAlerts = 10000;

nlohmann::json labels_json(const Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : labels) out[name] = value;
  return out;
}

}  // namespace

std::string alertmanager_payload(const std::vector<ActiveAlert>& alerts, std::int64_t now_ms,
                                 std::int64_t valid_for_ms, const std::string& generator_url) {
  nlohmann::json out = nlohmann::json::array();
  for (const ActiveAlert& alert : alerts) {
    const std::int64_t ends =
        alert.state == AlertState::inactive ? alert.resolved_at_ms : now_ms + valid_for_ms;
    out.push_back({
        {"labels", labels_json(alert.labels)},
        {"annotations", labels_json(alert.annotations)},
        {"startsAt", format_rfc3339(wall_time(alert.active_at_ms))},
        {"endsAt", format_rfc3339(wall_time(ends))},
        {"generatorURL", generator_url},
    });
  }
  return out.dump();
}

struct AlertmanagerClient::State {
  asio::any_io_executor executor;
  HttpUrl url;
  std::chrono::milliseconds timeout;
  nlohmann::json queued = nlohmann::json::array();
  bool in_flight = false;
  bool closed = false;
  Stats stats;
};

namespace {

asio::awaitable<void> drain(std::shared_ptr<AlertmanagerClient::State> state);

}  // namespace

AlertmanagerClient::AlertmanagerClient(asio::any_io_executor executor, const std::string& url,
                                       std::chrono::milliseconds timeout)
    : state_(std::make_shared<State>()) {
  const std::optional<HttpUrl> parsed = parse_http_url(url);
  if (!parsed) {
    throw std::invalid_argument("alertmanager.url '" + url +
                                "': only http://HOST[:PORT][/PATH] is supported");
  }
  state_->executor = std::move(executor);
  state_->url = *parsed;
  state_->timeout = timeout;
}

AlertmanagerClient::~AlertmanagerClient() {
  state_->closed = true;  // an in-flight request finishes on its own and sends nothing more
}

void AlertmanagerClient::send(const std::string& payload) {
  nlohmann::json alerts = nlohmann::json::parse(payload, nullptr, false);
  if (!alerts.is_array() || alerts.empty()) return;
  for (auto& alert : alerts) state_->queued.push_back(std::move(alert));
  while (state_->queued.size() > kMaxQueuedAlerts) state_->queued.erase(state_->queued.begin());
  if (state_->in_flight) return;
  state_->in_flight = true;
  asio::co_spawn(state_->executor, drain(state_), asio::detached);
}

AlertmanagerClient::Stats AlertmanagerClient::stats() const {
  return state_->stats;
}

bool AlertmanagerClient::idle() const {
  return !state_->in_flight && state_->queued.empty();
}

namespace {

asio::awaitable<void> drain(std::shared_ptr<AlertmanagerClient::State> state) {
  while (!state->closed && !state->queued.empty()) {
    HttpRequest request;
    request.method = "POST";
    request.path = (state->url.path == "/" ? "" : state->url.path) + "/api/v2/alerts";
    request.body = state->queued.dump();
    request.timeout = state->timeout;
    state->queued = nlohmann::json::array();
    HttpReply reply = co_await http_exchange(state->executor, state->url, std::move(request));
    if (reply.status >= 200 && reply.status < 300) {
      ++state->stats.batches_sent;
      state->stats.last_error.clear();
      continue;
    }
    ++state->stats.batches_failed;
    std::string error = reply.status != 0 ? "HTTP " + std::to_string(reply.status) + ": " +
                                                reply.body.substr(0, 200)
                                          : reply.error;
    if (error != state->stats.last_error) {
      spdlog::warn("alerts: sending to Alertmanager at {}:{} failed: {}", state->url.host,
                   state->url.port, error);
    }
    state->stats.last_error = std::move(error);
  }
  state->in_flight = false;
}

}  // namespace

}  // namespace flotilla::observe
