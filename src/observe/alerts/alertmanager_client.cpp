#include "observe/alerts/alertmanager_client.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <nlohmann/json.hpp>

#include "client/exchange.hpp"

namespace flotilla::observe {
namespace {

// Alertmanager's own queue bound is 10000 alerts (Prometheus
// --alertmanager.notification-queue-capacity).
constexpr std::size_t kMaxQueuedAlerts = 10000;
// Alertmanager answers a POST with a short status; anything longer is not worth keeping.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;

// (Not labels_json: alert_status.cpp has one, and the unity build may put both in one unit.)
nlohmann::json alertmanager_labels(const Labels& labels) {
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
        {"labels", alertmanager_labels(alert.labels)},
        {"annotations", alertmanager_labels(alert.annotations)},
        {"startsAt", format_rfc3339(wall_time(alert.active_at_ms))},
        {"endsAt", format_rfc3339(wall_time(ends))},
        {"generatorURL", generator_url},
    });
  }
  return out.dump();
}

struct AlertmanagerClient::State {
  asio::any_io_executor executor;
  client::Url url;
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
  std::string error;
  const std::optional<client::Url> parsed = client::parse_url(url, error);
  if (!parsed) throw std::invalid_argument("alertmanager.url " + error);
  if (parsed->endpoint.scheme != client::Endpoint::Scheme::kHttp) {
    throw std::invalid_argument("alertmanager.url '" + url +
                                "': https is not supported yet (use http://HOST[:PORT][/PATH])");
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
    client::Request request;
    request.method = "POST";
    request.target = (state->url.path == "/" ? "" : state->url.path) + "/api/v2/alerts";
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    request.body = state->queued.dump();
    client::Options options;
    options.connect_timeout = state->timeout;
    options.timeout = state->timeout;
    options.max_body = kMaxReplyBytes;
    state->queued = nlohmann::json::array();
    const client::Result reply = co_await client::exchange(state->executor, state->url.endpoint,
                                                           std::move(request), options);
    const int status = reply.ok() ? reply.response.status : 0;
    if (status >= 200 && status < 300) {
      ++state->stats.batches_sent;
      state->stats.last_error.clear();
      continue;
    }
    ++state->stats.batches_failed;
    std::string error =
        status != 0 ? "HTTP " + std::to_string(status) + ": " + reply.response.body.substr(0, 200)
                    : reply.message;
    if (error != state->stats.last_error) {
      spdlog::warn("alerts: sending to Alertmanager at {} failed: {}",
                   state->url.endpoint.display(), error);
    }
    state->stats.last_error = std::move(error);
  }
  state->in_flight = false;
}

}  // namespace

}  // namespace flotilla::observe
