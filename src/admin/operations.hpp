// What the admin API can ask of a running flotilla, as one interface the owner of the truth
// (the control thread's supervisor/gateway glue) implements. The API routes validate requests
// and call these with typed arguments; implementations answer with json_response() /
// error_response() bodies as documented per method. Types only; no behaviour here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

#include "admin/admin_message.hpp"
#include "config/spec.hpp"

namespace flotilla::admin {

// POST /api/v1/services/{name}/rollout body, validated.
struct RolloutChange {
  std::optional<config::Command> command;  // a string is split like the config's (no shell)
  config::StringMap env;                   // variables to set or change
  std::optional<std::uint32_t> replicas;
};

// GET /api/v1/services/{name}/logs query, validated.
struct LogsQuery {
  std::optional<std::uint32_t> instance;
  std::optional<std::chrono::seconds> since;  // only lines newer than now - since
  std::optional<std::string> cursor;          // opaque, from the previous answer
  std::optional<std::uint32_t> limit;
};

class Operations {
 public:
  virtual ~Operations() = default;

  // 200 {"version","config","uptime_seconds","services":[...],"upstreams":[...],
  //      "listeners":[...],"alerts":[...]}
  virtual asio::awaitable<AdminResponse> status() = 0;
  // Slices of status(), each piece as it is there:
  // 200 {"services":[...]}.
  virtual asio::awaitable<AdminResponse> services() = 0;
  // 200 one entry of "services"; 404 unknown service.
  virtual asio::awaitable<AdminResponse> service(std::string name) = 0;
  // 200 {"instances":[...]}: every service's, each with its "service".
  virtual asio::awaitable<AdminResponse> instances() = 0;
  // 200 {"upstreams":[...]}: each with its "endpoints".
  virtual asio::awaitable<AdminResponse> upstreams() = 0;
  // 200 {"service","replicas","previous"}; 404 unknown service.
  virtual asio::awaitable<AdminResponse> scale(std::string service, std::uint32_t replicas) = 0;
  // 202 {"service","revision","state"}; 409 when a rollout is already running.
  virtual asio::awaitable<AdminResponse> rollout(std::string service, RolloutChange change) = 0;
  // 200 {"service","revision","from_revision","state","phase","desired","updated","ready",
  //      "message"}; state is running | succeeded | rolled_back | failed.
  virtual asio::awaitable<AdminResponse> rollout_status(std::string service) = 0;
  // 202 as rollout(); `to` absent: the newest earlier revision with another spec. During a
  // rollout (`to` absent or its from_revision): that rollout, ending and rolling back, with
  // "rollback_requested": true.
  virtual asio::awaitable<AdminResponse> rollback(std::string service,
                                                  std::optional<std::uint32_t> to) = 0;
  // 200 {"service","current","revisions":[{"revision","created","command","env","replicas",
  //      "cause"}]}
  virtual asio::awaitable<AdminResponse> revisions(std::string service) = 0;
  // 202 as rollout(): a rolling restart of the current revision.
  virtual asio::awaitable<AdminResponse> restart(std::string service) = 0;
  // 200 {"instance","state"}.
  virtual asio::awaitable<AdminResponse> drain(std::string service, std::uint32_t index) = 0;
  // 200 {"instance","state":"undrained"}.
  virtual asio::awaitable<AdminResponse> undrain(std::string service, std::uint32_t index) = 0;
  // 200 {"service","state":"stopped"|"started","replicas","changed"}: stop scales to 0 and
  // keeps the count, start brings it back; 404 unknown service, 409 during a rollout.
  virtual asio::awaitable<AdminResponse> stop_service(std::string service) = 0;
  virtual asio::awaitable<AdminResponse> start_service(std::string service) = 0;
  // 200 {"changed":[...]} or 422 {"error","diagnostics":["file:line:col: msg",...]}.
  virtual asio::awaitable<AdminResponse> reload() = 0;
  // 200 {"lines":[{"instance","time","stream","line"}],"cursor"}.
  virtual asio::awaitable<AdminResponse> logs(std::string service, LogsQuery query) = 0;
};

}  // namespace flotilla::admin
