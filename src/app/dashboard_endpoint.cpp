// The dashboard's routes (see dashboard_endpoint.hpp). Assets go out gzip-compressed to any
// client that accepts it, versioned URLs are cacheable for good, the page itself never is.
#include "app/dashboard_endpoint.hpp"

#include <charconv>

#include <fmt/format.h>

#include "app/runtime.hpp"
#include "app/runtime_operations.hpp"
#include "dashboard/assets.hpp"

namespace flotilla::app {
namespace {

using nlohmann::json;

// The page: scripts, styles and fetches from this origin only (Chart.js sets canvas sizes
// through element styles, hence 'unsafe-inline' for styles); the icon is a data: URL.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

admin::AdminResponse asset_response(const admin::AdminRequest& request,
                                    const dashboard::Asset& asset, bool immutable) {
  admin::AdminResponse response;
  response.content_type = std::string(asset.content_type);
  const bool gzip = dashboard::accepts_gzip(request.header("Accept-Encoding"));
  response.body = std::string(gzip ? asset.gzip : asset.body);
  if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DashboardEndpoint::DashboardEndpoint(Runtime& runtime, RuntimeOperations& operations)
    : runtime_(runtime), operations_(operations) {}

void DashboardEndpoint::add_routes(admin::Router& router) {
  dashboard::assets_version();  // compress the assets now rather than on the first visit
  router.add(
      "GET", "/", [](const admin::AdminRequest& request) -> asio::awaitable<admin::AdminResponse> {
        admin::AdminResponse response = asset_response(request, *dashboard::find_asset(""), false);
        response.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
        response.headers.emplace_back("Referrer-Policy", "no-referrer");
        co_return response;
      });
  router.add("GET", "/dashboard/{file}",
             [](const admin::AdminRequest& request) -> asio::awaitable<admin::AdminResponse> {
               const std::string& name = request.param("file");
               const dashboard::Asset* asset = name.empty() ? nullptr : dashboard::find_asset(name);
               if (asset == nullptr) {
                 co_return admin::error_response(404, fmt::format("no dashboard file '{}'", name));
               }
               const auto version = request.query_param("v");
               co_return asset_response(request, *asset,
                                        version && *version == dashboard::assets_version());
             });
  router.add("GET", "/api/v1/dashboard",
             [this](const admin::AdminRequest& request) -> asio::awaitable<admin::AdminResponse> {
               std::int64_t since = 0;
               if (const auto text = request.query_param("since")) {
                 const auto [end, ec] =
                     std::from_chars(text->data(), text->data() + text->size(), since);
                 if (ec != std::errc{} || end != text->data() + text->size() || since < 0) {
                   co_return admin::error_response(
                       400, fmt::format("since: expected Unix milliseconds, got '{}'", *text));
                 }
               }
               json points = json::array();
               for (const dashboard::HistoryPoint& point : history_.since(since)) {
                 points.push_back(dashboard::to_json(point));
               }
               json out = json::object();
               out["now"] = unix_ms_now();
               out["points"] = std::move(points);
               out["status"] = co_await operations_.status_document();
               co_return admin::json_response(200, out);
             });
}

void DashboardEndpoint::record(const observe::MetricsView& gateway) {
  std::vector<dashboard::ServiceCount> services;
  for (const supervisor::ServiceStatus& status : runtime_.supervisor().service_status()) {
    dashboard::ServiceCount count{status.name, status.ready, status.desired, std::nullopt};
    const json autoscale = runtime_.autoscale_json(status.name);
    if (autoscale.is_object() && autoscale.contains("desired")) {
      count.desired = autoscale["desired"].get<std::uint32_t>();
    }
    services.push_back(std::move(count));
  }
  history_.add(std::chrono::system_clock::now(), gateway, std::move(services));
}

}  // namespace flotilla::app
