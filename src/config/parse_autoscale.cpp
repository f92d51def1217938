// `services.NAME.autoscale:` — the HPA's settings: min/max, utilisation targets (cpu, memory),
// average-value targets from the gateway (rps_per_instance, inflight_per_instance), sync_period
// and `behavior` (stabilisation windows, Pods/Percent policies, select). Reads only; the
// arithmetic is src/autoscale/'s.
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

// The HPA's API limits: a policy period of at most 30 minutes, a stabilisation window of at
// most an hour.
constexpr auto kMaxPolicyPeriod = std::chrono::minutes(30);
constexpr auto kMaxStabilization = std::chrono::hours(1);
constexpr std::uint32_t kMaxPolicyValue = 100000;

// A positive number ("50", "2.5"): the average-value targets.
ValueType<double> positive_number_type() {
  return {"a positive number", [](std::string_view text) -> ParseResult<double> {
            double value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc{} || end != text.data() + text.size() || !(value > 0) ||
                !std::isfinite(value)) {
              return parse_error(fmt::format("expected a positive number, got '{}'", text));
            }
            return value;
          }};
}

// A utilisation target: a percentage above 0 (0% would ask for infinitely many instances).
ValueType<double> target_percent_type() {
  const ValueType<double> base = percent_type();
  return {base.expected, [parse = base.parse](std::string_view text) -> ParseResult<double> {
            auto value = parse(text);
            if (value && !(*value > 0)) return parse_error("a target must be above 0%");
            return value;
          }};
}

ValueType<Duration> bounded_duration_type(Duration at_most, bool positive) {
  const ValueType<Duration> base = positive ? positive_duration_type() : duration_type();
  return {base.expected,
          [parse = base.parse, at_most](std::string_view text) -> ParseResult<Duration> {
            auto value = parse(text);
            if (value && *value > at_most) {
              return parse_error(fmt::format("must be at most {}", format_duration(at_most)));
            }
            return value;
          }};
}

// `scale_up: { stabilization, select, policies: [{ type, value, period }] }`; what is not given
// keeps the HPA default of that direction.
void read_scaling_rules(const MapReader& behavior, std::string_view key, ScalingRules& out) {
  const auto rules = behavior.child(key, {"stabilization", "select", "policies"});
  if (!rules) return;
  rules->read("stabilization", out.stabilization,
              bounded_duration_type(Duration{kMaxStabilization}, false));
  rules->read(
      "select", out.select,
      enum_type<SelectPolicy>("a policy selection", {{"max", SelectPolicy::max},
                                                     {"min", SelectPolicy::min},
                                                     {"disabled", SelectPolicy::disabled}}));
  const Entry* policies = rules->find("policies");
  if (policies == nullptr) return;
  std::vector<ScalingPolicy> read;
  for_each_item(rules->ctx(), *policies, [&](const Entry& item, std::size_t) {
    const MapReader p(rules->ctx(), item, {"type", "value", "period"});
    if (!p.is_map()) return;
    ScalingPolicy policy;
    p.require("type");
    p.require("value");
    p.read(
        "type", policy.type,
        enum_type<ScalingPolicyType>("a policy type", {{"pods", ScalingPolicyType::pods},
                                                       {"percent", ScalingPolicyType::percent}}));
    p.read("value", policy.value, count_type(1, kMaxPolicyValue));
    p.read("period", policy.period, bounded_duration_type(Duration{kMaxPolicyPeriod}, true));
    read.push_back(policy);
  });
  if (policies->value.IsSequence() && policies->value.size() == 0) {
    rules->ctx().error(
        policies->value_pos,
        fmt::format("{}: at least one policy is needed (or select: disabled)", policies->path));
  }
  if (!read.empty()) out.policies = std::move(read);
}

}  // namespace

void parse_autoscale(const MapReader& r, Service& service) {
  const auto autoscale = r.child("autoscale", {"min", "max", "cpu", "memory", "rps_per_instance",
                                               "inflight_per_instance", "behavior", "sync_period"});
  r.feature("autoscale", "autoscale");
  if (!autoscale) return;
  Autoscale out;
  autoscale->require("max");
  autoscale->read("min", out.min, count_type(1, kMaxReplicas));
  const bool max_ok = autoscale->read("max", out.max, count_type(1, kMaxReplicas));
  autoscale->read("cpu", out.cpu_percent, target_percent_type());
  autoscale->read("memory", out.memory_percent, target_percent_type());
  autoscale->read("rps_per_instance", out.rps_per_instance, positive_number_type());
  autoscale->read("inflight_per_instance", out.inflight_per_instance, positive_number_type());
  autoscale->read("sync_period", out.sync_period, positive_duration_type());
  if (const auto behavior = autoscale->child("behavior", {"scale_up", "scale_down"})) {
    read_scaling_rules(*behavior, "scale_up", out.scale_up);
    read_scaling_rules(*behavior, "scale_down", out.scale_down);
  }
  const bool any_target = autoscale->has("cpu") || autoscale->has("memory") ||
                          autoscale->has("rps_per_instance") ||
                          autoscale->has("inflight_per_instance");
  if (!any_target) out.cpu_percent = 80.0;  // the HPA's default metric
  if (max_ok && out.max < out.min) {
    r.ctx().error(
        autoscale->find("max")->value_pos,
        fmt::format("{}.max: {} is less than min ({})", autoscale->path(), out.max, out.min));
    out.max = out.min;
  }
  // A memory target is a percentage of the limit: without one there is nothing to divide by
  // (the HPA reports "missing request for memory" at run time; here it is known up front).
  if (const Entry* memory = autoscale->find("memory");
      memory != nullptr && !service.resources.memory_bytes) {
    r.ctx().error(memory->value_pos,
                  fmt::format("{}: needs resources.memory (the target is a percentage of the "
                              "memory limit)",
                              memory->path));
  }
  // Request targets come from the gateway: a worker (no ports) never receives a request.
  if (!r.has("ports")) {
    for (const std::string_view key : {"rps_per_instance", "inflight_per_instance"}) {
      if (const Entry* entry = autoscale->find(key)) {
        r.ctx().error(
            entry->value_pos,
            fmt::format("{}: a service without ports receives no requests to count", entry->path));
      }
    }
  }
  service.replicas = out.min;
  service.autoscale = out;
}

}  // namespace flotilla::config
