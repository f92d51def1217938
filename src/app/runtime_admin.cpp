// The runtime's admin side: the admin server with the /api/v1 operations, /metrics, alerts and
// flotilla's own readiness; the gateway's stats gathered from the workers for them; the alert
// engine fed from a cache of the gateway's families (its scrape is synchronous).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/steady_timer.hpp>

#include "admin/api_routes.hpp"
#include "app/autoscale_loop.hpp"
#include "app/dashboard_endpoint.hpp"
#include "app/instance_samples.hpp"
#include "app/runtime.hpp"
#include "app/runtime_operations.hpp"
#include "net/async.hpp"
#include "observe/exposition.hpp"

namespace flotilla::app {
namespace {

constexpr std::chrono::seconds kCollectBound{2};
constexpr std::chrono::seconds kMetricsRefresh{1};

// Waits on the control thread for a callback-style collection from the workers, bounded.
template <class Result, class Start>
asio::awaitable<std::optional<Result>> gather(asio::io_context& control, Start start) {
  auto result = std::make_shared<std::optional<Result>>();
  auto timer = std::make_shared<asio::steady_timer>(control, kCollectBound);
  start([result, timer](Result value) {
    *result = std::move(value);
    timer->cancel();
  });
  co_await timer->async_wait(net::use_nothrow);
  co_return std::move(*result);
}

}  // namespace

std::string Runtime::config_display() const {
  return options_.config_path.empty() ? std::string{"<embedded demo>"}
                                      : options_.config_path.string();
}

std::vector<Runtime::ListenerRow> Runtime::listener_rows() const {
  std::vector<ListenerRow> out;
  if (!gateway_) return out;
  const std::vector<asio::ip::tcp::endpoint> endpoints = gateway_->bound_endpoints();
  const std::vector<std::string> protocols = gateway_->listener_protocols();
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    out.push_back({fmt::format("{}:{}", endpoints[i].address().to_string(), endpoints[i].port()),
                   i < protocols.size() ? protocols[i] : std::string("http/1.1")});
  }
  return out;
}

std::optional<std::string> Runtime::instance_address(const std::string& key) const {
  for (const auto& [service, endpoints] : service_endpoints_) {
    for (const gateway::ServiceEndpoint& endpoint : endpoints) {
      if (endpoint.key == key) return endpoint.address;
    }
  }
  return std::nullopt;
}

nlohmann::json Runtime::autoscale_json(const std::string& service) const {
  return autoscaler_ ? autoscaler_->service_json(service) : nlohmann::json(nullptr);
}

std::vector<observe::AlertStatus> Runtime::alerts() const {
  return alert_engine_ ? alert_engine_->alerts() : std::vector<observe::AlertStatus>{};
}

asio::awaitable<std::optional<observe::GatewayStats>> Runtime::collect_gateway_stats() {
  if (gateway_stopped_ || shutting_down_ || !gateway_) co_return std::nullopt;
  co_return co_await gather<observe::GatewayStats>(
      control_, [this](auto done) { gateway_->collect(control_.get_executor(), std::move(done)); });
}

asio::awaitable<observe::MetricsView> Runtime::collect_metrics() {
  std::optional<observe::MetricsView> view;
  if (!gateway_stopped_ && !shutting_down_ && gateway_) {
    view = co_await gather<observe::MetricsView>(control_, [this](auto done) {
      gateway_->collect_metrics(control_.get_executor(), std::move(done));
    });
  }
  observe::MetricsView out = view ? std::move(*view) : gateway_metrics_;
  const std::vector<supervisor::InstanceStatus> instances = supervisor_->status();
  append_instance_metrics(out, instances);
  if (autoscaler_) autoscaler_->append_metrics(out);
  append_certificate_metrics(out);
  co_return out;
}

void Runtime::refresh_metrics_cache() {
  if (gateway_stopped_ || shutting_down_) return;
  gateway_->collect_metrics(control_.get_executor(), [this](observe::MetricsView view) {
    gateway_metrics_ = std::move(view);
    if (dashboard_) dashboard_->record(gateway_metrics_);
  });
  metrics_refresh_.expires_after(kMetricsRefresh);
  metrics_refresh_.async_wait([this](std::error_code ec) {
    if (!ec) refresh_metrics_cache();
  });
}

bool Runtime::start_admin() {
  admin::ServerOptions server_options;
  std::string error;
  if (!admin::options_from_spec(spec(), server_options, error)) {
    fmt::print(stderr, "flotilla up: admin: {}\n", error);
    return false;
  }
  admin_ = std::make_unique<admin::Server>(control_, std::move(server_options));
  operations_ = std::make_unique<RuntimeOperations>(*this);
  admin::Router& router = admin_->router();
  admin::add_api_routes(router, *operations_);
  dashboard_ = std::make_unique<DashboardEndpoint>(*this, *operations_);
  dashboard_->add_routes(router);
  router.add("GET", "/metrics",
             [this](const admin::AdminRequest&) -> asio::awaitable<admin::AdminResponse> {
               const observe::MetricsView view = co_await collect_metrics();
               admin::AdminResponse response;
               response.content_type = std::string(observe::kExpositionContentType);
               response.body = observe::render_exposition(view);
               co_return response;
             });
  router.add("GET", "/api/v1/alerts",
             [this](const admin::AdminRequest&) -> asio::awaitable<admin::AdminResponse> {
               nlohmann::json alerts = nlohmann::json::array();
               for (const observe::AlertStatus& alert : this->alerts())
                 alerts.push_back(observe::to_json(alert));
               nlohmann::json rules = nlohmann::json::array();
               if (alert_engine_) {
                 for (const observe::RuleStatus& rule : alert_engine_->rules())
                   rules.push_back(observe::to_json(rule));
               }
               nlohmann::json out = nlohmann::json::object();
               out["alerts"] = std::move(alerts);
               out["rules"] = std::move(rules);
               co_return admin::json_response(200, out);
             });
  router.add("GET", "/api/v1/autoscaler",
             [this](const admin::AdminRequest&) -> asio::awaitable<admin::AdminResponse> {
               nlohmann::json services = nlohmann::json::array();
               for (const supervisor::ServiceStatus& service : supervisor_->service_status()) {
                 nlohmann::json autoscale = autoscale_json(service.name);
                 if (autoscale.is_null()) continue;
                 autoscale["service"] = service.name;
                 services.push_back(std::move(autoscale));
               }
               co_return admin::json_response(200, nlohmann::json{{"services", services}});
             });
  router.add(
      "GET", "/api/v1/certificates",
      [this](const admin::AdminRequest&) -> asio::awaitable<admin::AdminResponse> {
        co_return admin::json_response(200, nlohmann::json{{"certificates", certificates_json()}});
      });
  router.add("POST", "/api/v1/certificates/{domain}/renew",
             [this](const admin::AdminRequest& request) -> asio::awaitable<admin::AdminResponse> {
               const std::string domain = request.param("domain");
               if (!renew_certificate(domain)) {
                 co_return admin::json_response(
                     404, nlohmann::json{{"error", fmt::format("no ACME certificate has the domain "
                                                               "'{}' (see flotilla certs)",
                                                               domain)}});
               }
               co_return admin::json_response(
                   202, nlohmann::json{{"renewing", domain},
                                       {"message", "an order has started; watch flotilla certs"}});
             });
  admin_->set_ready_check([this] { return !shutting_down_; });
  if (!admin_->listen(error)) {
    fmt::print(stderr, "flotilla up: admin: {}\n", error);
    return false;
  }

  try {
    alert_engine_ = std::make_unique<observe::AlertEngine>(control_, spec(), [this] {
      observe::MetricsView view = gateway_metrics_;
      const std::vector<supervisor::InstanceStatus> instances = supervisor_->status();
      append_instance_metrics(view, instances);
      if (autoscaler_) autoscaler_->append_metrics(view);
      append_certificate_metrics(view);
      return view;
    });
  } catch (const std::exception& e) {
    fmt::print(stderr, "flotilla up: alerts: {}\n", e.what());
    return false;
  }
  return true;
}

}  // namespace flotilla::app
