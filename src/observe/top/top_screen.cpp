#include "observe/top/top_screen.hpp"

#include <map>

#include <fmt/format.h>

namespace flotilla::observe {

std::optional<double> json_number(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

namespace {

std::string text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return it->dump();
}

struct EndpointTotals {
  double requests = 0;
  double in_flight = 0;
  double errors = 0;
  bool has_requests = false;
};

// Endpoints keyed like instances ("web/2"), summed over every upstream that routes to them.
std::map<std::string, EndpointTotals> endpoints_by_key(const nlohmann::json& status) {
  std::map<std::string, EndpointTotals> out;
  const auto upstreams = status.find("upstreams");
  if (upstreams == status.end() || !upstreams->is_array()) return out;
  for (const auto& upstream : *upstreams) {
    const auto endpoints = upstream.find("endpoints");
    if (endpoints == upstream.end() || !endpoints->is_array()) continue;
    for (const auto& endpoint : *endpoints) {
      EndpointTotals& totals = out[text(endpoint, "key")];
      if (const auto requests = json_number(endpoint, "requests")) {
        totals.requests += *requests;
        totals.has_requests = true;
      }
      totals.in_flight += json_number(endpoint, "in_flight").value_or(0);
      totals.errors += json_number(endpoint, "errors").value_or(0);
    }
  }
  return out;
}

// Instance objects by key, for looking up the previous sample.
std::map<std::string, const nlohmann::json*> instances_by_key(const nlohmann::json& status) {
  std::map<std::string, const nlohmann::json*> out;
  const auto services = status.find("services");
  if (services == status.end() || !services->is_array()) return out;
  for (const auto& service : *services) {
    const auto instances = service.find("instances");
    if (instances == service.end() || !instances->is_array()) continue;
    for (const auto& instance : *instances) out[text(instance, "key")] = &instance;
  }
  return out;
}

std::string format_optional(std::optional<double> value, const char* format) {
  return value ? fmt::format(fmt::runtime(format), *value) : "-";
}

}  // namespace

std::vector<TopRow> top_rows(const TopSample& now, const TopSample* previous) {
  std::vector<TopRow> rows;
  const auto endpoints = endpoints_by_key(now.status);
  std::map<std::string, const nlohmann::json*> previous_instances;
  std::map<std::string, EndpointTotals> previous_endpoints;
  double seconds = 0;
  if (previous != nullptr) {
    previous_instances = instances_by_key(previous->status);
    previous_endpoints = endpoints_by_key(previous->status);
    seconds = std::chrono::duration<double>(now.taken - previous->taken).count();
  }
  const auto services = now.status.find("services");
  if (services == now.status.end() || !services->is_array()) return rows;
  for (const auto& service : *services) {
    const auto instances = service.find("instances");
    if (instances == service.end() || !instances->is_array()) continue;
    for (const auto& instance : *instances) {
      TopRow row;
      row.key = text(instance, "key");
      row.state = text(instance, "state");
      row.restarts = static_cast<std::uint64_t>(json_number(instance, "restarts").value_or(0));
      row.memory_bytes = json_number(instance, "memory_bytes");
      row.memory_limit_bytes = json_number(instance, "memory_limit_bytes");
      if (row.memory_limit_bytes && *row.memory_limit_bytes <= 0) row.memory_limit_bytes.reset();
      row.cpu_percent = json_number(instance, "cpu_percent");
      const auto before = previous_instances.find(row.key);
      if (seconds > 0 && before != previous_instances.end()) {
        const auto cpu_now = json_number(instance, "cpu_seconds");
        const auto cpu_before = json_number(*before->second, "cpu_seconds");
        if (cpu_now && cpu_before && *cpu_now >= *cpu_before) {
          row.cpu_percent = (*cpu_now - *cpu_before) / seconds * 100.0;
        }
      }
      const auto endpoint = endpoints.find(row.key);
      if (endpoint != endpoints.end()) {
        row.in_flight = endpoint->second.in_flight;
        const auto earlier = previous_endpoints.find(row.key);
        if (seconds > 0 && endpoint->second.has_requests && earlier != previous_endpoints.end() &&
            earlier->second.has_requests) {
          // A counter that went down (the gateway restarted, the endpoint came back) restarts
          // the rate from 0 rather than showing a negative value.
          const auto rate = [seconds](double now, double before) {
            const double delta = now - before;
            return (delta >= 0 ? delta : now) / seconds;
          };
          row.requests_per_second = rate(endpoint->second.requests, earlier->second.requests);
          row.errors_per_second = rate(endpoint->second.errors, earlier->second.errors);
        }
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string format_bytes(std::optional<double> bytes) {
  if (!bytes) return "-";
  double value = *bytes;
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f}B", value);
  return value < 10 ? fmt::format("{:.2f}{}", value, units[unit])
                    : fmt::format("{:.1f}{}", value, units[unit]);
}

std::string render_top_table(const std::vector<TopRow>& rows) {
  constexpr const char* kLine = "{:<20} {:<10} {:>7} {:>10} {:>10} {:>8} {:>9} {:>7} {:>8}\n";
  std::string out = fmt::format(fmt::runtime(kLine), "SERVICE/INSTANCE", "STATE", "CPU %", "MEM",
                                "MEM LIMIT", "REQ/S", "IN-FLIGHT", "ERR/S", "RESTARTS");
  for (const TopRow& row : rows) {
    out += fmt::format(fmt::runtime(kLine), row.key, row.state,
                       format_optional(row.cpu_percent, "{:.1f}%"), format_bytes(row.memory_bytes),
                       format_bytes(row.memory_limit_bytes),
                       format_optional(row.requests_per_second, "{:.1f}"),
                       format_optional(row.in_flight, "{:.0f}"),
                       format_optional(row.errors_per_second, "{:.1f}"), row.restarts);
  }
  if (rows.empty()) out += "(no instances)\n";
  return out;
}

nlohmann::json top_rows_json(const std::vector<TopRow>& rows) {
  auto optional = [](std::optional<double> value) -> nlohmann::json {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  nlohmann::json out = nlohmann::json::array();
  for (const TopRow& row : rows) {
    out.push_back({{"instance", row.key},
                   {"state", row.state},
                   {"cpu_percent", optional(row.cpu_percent)},
                   {"memory_bytes", optional(row.memory_bytes)},
                   {"memory_limit_bytes", optional(row.memory_limit_bytes)},
                   {"requests_per_second", optional(row.requests_per_second)},
                   {"in_flight", optional(row.in_flight)},
                   {"errors_per_second", optional(row.errors_per_second)},
                   {"restarts", row.restarts}});
  }
  return out;
}

}  // namespace flotilla::observe
