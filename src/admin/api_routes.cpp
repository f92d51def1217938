// Request validation for each /api/v1 route, then one call into Operations. Bodies are strict
// like the config file: unknown fields are errors (with a suggestion), types are checked.
#include "admin/api_routes.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "config/command_line.hpp"
#include "config/did_you_mean.hpp"
#include "http/query_string.hpp"

namespace flotilla::admin {
namespace {

using nlohmann::json;
using Awaitable = asio::awaitable<AdminResponse>;

constexpr std::uint64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();

// An error message, or nothing when the body only has fields from `allowed`.
std::optional<std::string> unknown_field(const json& body,
                                         std::span<const std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    return fmt::format("unknown field '{}'{}", key, config::did_you_mean(key, allowed));
  }
  return std::nullopt;
}

std::optional<std::uint32_t> json_uint32(const json& value) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n <= kMaxUint32) return static_cast<std::uint32_t>(n);
  } else if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    if (n >= 0 && static_cast<std::uint64_t>(n) <= kMaxUint32) return static_cast<std::uint32_t>(n);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> text_uint32(std::string_view text) {
  const auto n = http::parse_uint(text);
  if (!n || *n > kMaxUint32) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

// `"python3 app.py"` (split like the config's command, no shell) or `["python3", "app.py"]`.
std::optional<config::Command> parse_command(const json& value, std::string& error) {
  config::Command command;
  if (value.is_string()) {
    command.text = value.get<std::string>();
    auto argv = config::split_command_line(command.text);
    if (!argv) {
      error = "command: " + argv.error();
      return std::nullopt;
    }
    command.argv = std::move(argv).value();
  } else if (value.is_array()) {
    for (const json& word : value) {
      if (!word.is_string()) {
        error = "command: a list must hold only strings";
        return std::nullopt;
      }
      command.argv.push_back(word.get<std::string>());
    }
    command.text = fmt::format("{}", fmt::join(command.argv, " "));
  } else {
    error = "command: expected a string or a list of strings";
    return std::nullopt;
  }
  if (command.argv.empty()) {
    error = "command: empty command";
    return std::nullopt;
  }
  return command;
}

// Validation is plain code returning the 400 to send, if any; the coroutines below only await
// (small coroutine bodies also keep GCC 12 from a false -Wmismatched-new-delete on their frames).
using Refusal = std::optional<AdminResponse>;

Refusal refuse(std::string_view message) {
  return error_response(400, message);
}

Refusal parse_scale(const AdminRequest& request, std::uint32_t& replicas) {
  JsonBody body = parse_json_body(request);
  if (!body.ok()) return body.error;
  static constexpr std::array<std::string_view, 1> kFields{"replicas"};
  if (auto error = unknown_field(body.value, kFields)) return refuse(*error);
  if (!body.value.contains("replicas")) return refuse("missing field 'replicas'");
  const auto value = json_uint32(body.value["replicas"]);
  if (!value) return refuse("replicas: expected a non-negative integer");
  replicas = *value;
  return std::nullopt;
}

Refusal parse_rollout(const AdminRequest& request, RolloutChange& change) {
  JsonBody body = parse_json_body(request);
  if (!body.ok()) return body.error;
  static constexpr std::array<std::string_view, 3> kFields{"command", "env", "replicas"};
  if (auto error = unknown_field(body.value, kFields)) return refuse(*error);
  const json& fields = body.value;
  if (fields.contains("command") && !fields["command"].is_null()) {
    std::string error;
    change.command = parse_command(fields["command"], error);
    if (!change.command) return refuse(error);
  }
  if (fields.contains("env") && !fields["env"].is_null()) {
    const json& env = fields["env"];
    if (!env.is_object()) return refuse("env: expected an object of strings");
    for (const auto& [name, value] : env.items()) {
      // A name with '=' or NUL would make a different variable of "NAME=VALUE" in environ.
      if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos) {
        return refuse(fmt::format("env: invalid variable name '{}'", name));
      }
      if (!value.is_string()) return refuse(fmt::format("env.{}: expected a string", name));
      change.env[name] = value.get<std::string>();
    }
  }
  if (fields.contains("replicas") && !fields["replicas"].is_null()) {
    change.replicas = json_uint32(fields["replicas"]);
    if (!change.replicas) return refuse("replicas: expected a non-negative integer");
  }
  return std::nullopt;
}

Refusal parse_rollback(const AdminRequest& request, std::optional<std::uint32_t>& to) {
  JsonBody body = parse_json_body(request);
  if (!body.ok()) return body.error;
  static constexpr std::array<std::string_view, 1> kFields{"to"};
  if (auto error = unknown_field(body.value, kFields)) return refuse(*error);
  if (body.value.contains("to") && !body.value["to"].is_null()) {
    to = json_uint32(body.value["to"]);
    if (!to || *to == 0) return refuse("to: expected a revision number (1, 2, ...)");
  }
  return std::nullopt;
}

Refusal parse_drain(const AdminRequest& request, std::uint32_t& index) {
  const auto value = text_uint32(request.param("index"));
  if (!value) {
    return refuse(fmt::format("instance index '{}': expected a number", request.param("index")));
  }
  index = *value;
  return std::nullopt;
}

Refusal parse_logs(const AdminRequest& request, LogsQuery& query) {
  struct NumberParam {
    std::string_view name;
    std::optional<std::uint32_t>* out;
  };
  std::optional<std::uint32_t> since;
  const std::array<NumberParam, 3> numbers{
      NumberParam{"instance", &query.instance}, {"since", &since}, {"limit", &query.limit}};
  for (const NumberParam& param : numbers) {
    const auto text = request.query_param(param.name);
    if (!text) continue;
    *param.out = text_uint32(*text);
    if (!*param.out) return refuse(fmt::format("{}: expected a non-negative integer", param.name));
  }
  if (since) query.since = std::chrono::seconds(*since);
  if (const auto cursor = request.query_param("cursor")) query.cursor = std::string(*cursor);
  return std::nullopt;
}

Awaitable scale(Operations& operations, const AdminRequest& request) {
  std::uint32_t replicas = 0;
  Refusal refusal = parse_scale(request, replicas);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.scale(request.param("name"), replicas);
}

Awaitable rollout(Operations& operations, const AdminRequest& request) {
  RolloutChange change;
  Refusal refusal = parse_rollout(request, change);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.rollout(request.param("name"), std::move(change));
}

Awaitable rollback(Operations& operations, const AdminRequest& request) {
  std::optional<std::uint32_t> to;
  Refusal refusal = parse_rollback(request, to);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.rollback(request.param("name"), to);
}

Awaitable drain(Operations& operations, const AdminRequest& request) {
  std::uint32_t index = 0;
  Refusal refusal = parse_drain(request, index);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.drain(request.param("service"), index);
}

Awaitable undrain(Operations& operations, const AdminRequest& request) {
  std::uint32_t index = 0;
  Refusal refusal = parse_drain(request, index);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.undrain(request.param("service"), index);
}

Awaitable logs(Operations& operations, const AdminRequest& request) {
  LogsQuery query;
  Refusal refusal = parse_logs(request, query);
  if (refusal) co_return std::move(*refusal);
  co_return co_await operations.logs(request.param("name"), std::move(query));
}

}  // namespace

void add_api_routes(Router& router, Operations& operations) {
  Operations* ops = &operations;
  router.add("GET", "/api/v1/status",
             [ops](const AdminRequest&) -> Awaitable { co_return co_await ops->status(); });
  router.add("GET", "/api/v1/services",
             [ops](const AdminRequest&) -> Awaitable { co_return co_await ops->services(); });
  router.add("GET", "/api/v1/services/{name}", [ops](const AdminRequest& request) -> Awaitable {
    co_return co_await ops->service(request.param("name"));
  });
  router.add("GET", "/api/v1/instances",
             [ops](const AdminRequest&) -> Awaitable { co_return co_await ops->instances(); });
  router.add("GET", "/api/v1/upstreams",
             [ops](const AdminRequest&) -> Awaitable { co_return co_await ops->upstreams(); });
  router.add("POST", "/api/v1/services/{name}/scale",
             [ops](const AdminRequest& request) { return scale(*ops, request); });
  router.add("POST", "/api/v1/services/{name}/rollout",
             [ops](const AdminRequest& request) { return rollout(*ops, request); });
  router.add("GET", "/api/v1/services/{name}/rollout",
             [ops](const AdminRequest& request) -> Awaitable {
               co_return co_await ops->rollout_status(request.param("name"));
             });
  router.add("POST", "/api/v1/services/{name}/rollback",
             [ops](const AdminRequest& request) { return rollback(*ops, request); });
  router.add("GET", "/api/v1/services/{name}/revisions",
             [ops](const AdminRequest& request) -> Awaitable {
               co_return co_await ops->revisions(request.param("name"));
             });
  router.add("POST", "/api/v1/services/{name}/restart",
             [ops](const AdminRequest& request) -> Awaitable {
               co_return co_await ops->restart(request.param("name"));
             });
  router.add("POST", "/api/v1/instances/{service}/{index}/drain",
             [ops](const AdminRequest& request) { return drain(*ops, request); });
  router.add("POST", "/api/v1/instances/{service}/{index}/undrain",
             [ops](const AdminRequest& request) { return undrain(*ops, request); });
  router.add("POST", "/api/v1/services/{name}/stop",
             [ops](const AdminRequest& request) -> Awaitable {
               co_return co_await ops->stop_service(request.param("name"));
             });
  router.add("POST", "/api/v1/services/{name}/start",
             [ops](const AdminRequest& request) -> Awaitable {
               co_return co_await ops->start_service(request.param("name"));
             });
  router.add("POST", "/api/v1/reload",
             [ops](const AdminRequest&) -> Awaitable { co_return co_await ops->reload(); });
  router.add("GET", "/api/v1/services/{name}/logs",
             [ops](const AdminRequest& request) { return logs(*ops, request); });
}

}  // namespace flotilla::admin
