// The admin API's operations on a running flotilla: turns each admin::Operations call into
// supervisor / gateway / alert-engine calls and their results into the API's JSON. Runs on the
// control thread only. Glue and presentation; the operations themselves live in their modules.
#pragma once

#include <string>

#include "admin/operations.hpp"
#include "app/status_json.hpp"

namespace flotilla::app {

class Runtime;

class RuntimeOperations : public admin::Operations {
 public:
  explicit RuntimeOperations(Runtime& runtime) : runtime_(runtime) {}

  asio::awaitable<admin::AdminResponse> status() override;
  asio::awaitable<admin::AdminResponse> services() override;
  asio::awaitable<admin::AdminResponse> service(std::string name) override;
  asio::awaitable<admin::AdminResponse> instances() override;
  asio::awaitable<admin::AdminResponse> upstreams() override;
  asio::awaitable<admin::AdminResponse> scale(std::string service, std::uint32_t replicas) override;
  asio::awaitable<admin::AdminResponse> rollout(std::string service,
                                                admin::RolloutChange change) override;
  asio::awaitable<admin::AdminResponse> rollout_status(std::string service) override;
  asio::awaitable<admin::AdminResponse> rollback(std::string service,
                                                 std::optional<std::uint32_t> to) override;
  asio::awaitable<admin::AdminResponse> revisions(std::string service) override;
  asio::awaitable<admin::AdminResponse> restart(std::string service) override;
  asio::awaitable<admin::AdminResponse> drain(std::string service, std::uint32_t index) override;
  asio::awaitable<admin::AdminResponse> undrain(std::string service, std::uint32_t index) override;
  asio::awaitable<admin::AdminResponse> stop_service(std::string service) override;
  asio::awaitable<admin::AdminResponse> start_service(std::string service) override;
  asio::awaitable<admin::AdminResponse> reload() override;
  asio::awaitable<admin::AdminResponse> logs(std::string service, admin::LogsQuery query) override;

  // The body of GET /api/v1/status (the dashboard embeds it in its own answer).
  asio::awaitable<nlohmann::json> status_document();

 private:
  // `service` (a service_json object) with its "autoscale" (null when it has none).
  nlohmann::json with_autoscale(nlohmann::json service, const std::string& name) const;

  Runtime& runtime_;
  CpuMeter cpu_;
};

}  // namespace flotilla::app
