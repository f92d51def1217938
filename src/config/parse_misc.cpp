// The small top-level sections: compression, admin, alerts, alertmanager, access_log, log.
#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "config/alert_expr_check.hpp"
#include "config/parse_sections.hpp"
#include "config/units.hpp"
#include "promql/alert_template.hpp"

namespace flotilla::config {
namespace {

// The rules alerts.defaults turns on; a user rule may not reuse their names.
constexpr std::array<std::string_view, 5> kBuiltinAlerts{"HighErrorRate", "HighResponseTime",
                                                         "InstanceCrashLooping", "HighMemoryUsage",
                                                         "CertificateRenewalFailing"};

// A media type (`text/html`) or a wildcard over a type's subtypes (`text/*`).
ValueType<std::string> mime_type_type() {
  return {"a MIME type", [](std::string_view text) -> ParseResult<std::string> {
            const std::size_t slash = text.find('/');
            const auto token = [](std::string_view part) {
              return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) ||
                       std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
              });
            };
            const std::string_view type = text.substr(0, std::min(slash, text.size()));
            const std::string_view subtype =
                slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
            if (slash == std::string_view::npos || !token(type) ||
                (subtype != "*" && !token(subtype))) {
              return parse_error(fmt::format(
                  "invalid MIME type '{}', e.g. text/html or text/* (no parameters)", text));
            }
            return std::string(text);
          }};
}

ValueType<std::string> http_url_type() {
  return {"a URL", [](std::string_view text) -> ParseResult<std::string> {
            const bool scheme = text.starts_with("http://") || text.starts_with("https://");
            if (!scheme || text.find("://") + 3 == text.size()) {
              return parse_error(
                  fmt::format("invalid URL '{}': expected http://HOST[:PORT]/...", text));
            }
            return std::string(text);
          }};
}

void read_rule(const MapReader& rule, bool defaults, std::vector<AlertRule>& rules) {
  AlertRule out;
  out.pos = rule.pos();
  rule.require("name");
  rule.require("expr");
  const bool name_ok = rule.read("name", out.name, string_type());
  if (rule.read("expr", out.expr, string_type())) {
    check_alert_expr(rule.ctx(), *rule.find("expr"), out.expr);
  }
  rule.read("for", out.for_duration, duration_type());
  rule.read_pairs("labels", [&](std::string k, std::string v) { out.labels[k] = std::move(v); });
  rule.read_pairs(
      "annotations", [&](std::string k, std::string v) { out.annotations[k] = std::move(v); }, {},
      promql::alert_template_problem);
  if (name_ok) {
    const Entry* name = rule.find("name");
    const bool builtin =
        std::find(kBuiltinAlerts.begin(), kBuiltinAlerts.end(), out.name) != kBuiltinAlerts.end();
    const auto earlier = std::find_if(rules.begin(), rules.end(),
                                      [&](const AlertRule& r) { return r.name == out.name; });
    if (defaults && builtin) {
      rule.ctx().error(name->value_pos,
                       fmt::format("{}: '{}' is a built-in rule; set alerts.defaults: false to "
                                   "replace it",
                                   name->path, out.name));
    } else if (earlier != rules.end()) {
      rule.ctx().error(name->value_pos, fmt::format("{}: duplicate rule name '{}' (first on "
                                                    "line {})",
                                                    name->path, out.name, earlier->pos.line));
    }
  }
  rules.push_back(std::move(out));
}

// `defaults: { window: 10s, restart_window: 30s, for: 2s }`: the built-in rules, tuned.
void parse_default_rules(const MapReader& alerts, Alerts& out) {
  const auto tuning = alerts.child("defaults", {"window", "restart_window", "for"});
  out.defaults = true;
  if (!tuning) return;
  tuning->read("window", out.default_rules.window, positive_duration_type());
  tuning->read("restart_window", out.default_rules.restart_window, positive_duration_type());
  tuning->read("for", out.default_rules.for_duration, duration_type());
  // rate() and increase() need two samples inside their window, else the rules never fire.
  for (const auto& [key, window] :
       {std::pair{"window", out.default_rules.window},
        std::pair{"restart_window", out.default_rules.restart_window}}) {
    const Entry* entry = tuning->find(key);
    if (entry == nullptr || window >= 2 * out.evaluation_interval) continue;
    tuning->ctx().error(entry->value_pos,
                        fmt::format("{}: must be at least twice alerts.evaluation_interval ({}): "
                                    "rate() needs two samples in its window",
                                    entry->path, format_duration(out.evaluation_interval)));
  }
}

}  // namespace

void read_compression(const MapReader& parent, Compression& out) {
  const Entry* entry = parent.find("compression");
  if (entry == nullptr) return;
  if (entry->value.IsScalar()) {
    bool on = false;
    if (!parent.read("compression", on, bool_type())) return;
    out.enabled = on;
  } else {
    const auto compression =
        parent.child("compression", {"gzip", "brotli", "zstd", "levels", "min_length", "types"});
    if (!compression) return;
    out.enabled = true;
    compression->read("gzip", out.gzip, bool_type());
    compression->read("brotli", out.brotli, bool_type());
    compression->read("zstd", out.zstd, bool_type());
    if (const auto levels = compression->child("levels", {"gzip", "brotli", "zstd"})) {
      std::uint32_t level = 0;
      if (levels->read("gzip", level, count_type(1, 9))) out.levels.gzip = static_cast<int>(level);
      if (levels->read("brotli", level, count_type(0, 11))) {
        out.levels.brotli = static_cast<int>(level);
      }
      if (levels->read("zstd", level, count_type(1, 19))) out.levels.zstd = static_cast<int>(level);
    }
    compression->read("min_length", out.min_length, size_type());
    compression->read_list("types", out.types, mime_type_type());
  }
  if (out.enabled) parent.feature("compression", "compression");
}

void parse_compression(const MapReader& top, Compression& out) {
  read_compression(top, out);
}

void parse_admin(const MapReader& top, Admin& out) {
  const auto admin = top.child("admin", {"listen", "socket", "token_file", "token_env"});
  if (!admin) return;
  if (admin->read("listen", out.listen, address_type()) &&
      out.listen.kind == Address::Kind::unix_socket) {
    admin->ctx().error(admin->find("listen")->value_pos,
                       fmt::format("{}.listen: must be a TCP address; use 'socket' for the unix "
                                   "socket",
                                   admin->path()));
  }
  admin->read_path("socket", out.socket);
  admin->exclusive("token_file", "token_env");
  admin->read_path("token_file", out.token_file);
  admin->read("token_env", out.token_env, checked_name_type("a variable name", check_env_name));
  admin->feature("token_file", "admin_token");
  admin->feature("token_env", "admin_token");
}

void parse_alerts(const MapReader& top, Alerts& out) {
  const auto alerts = top.child("alerts", {"defaults", "evaluation_interval", "rules"});
  if (!alerts) return;
  alerts->read("evaluation_interval", out.evaluation_interval, positive_duration_type());
  const Entry* defaults = alerts->find("defaults");
  if (defaults != nullptr && defaults->value.IsMap()) {
    parse_default_rules(*alerts, out);
  } else {
    alerts->read("defaults", out.defaults, bool_type());
  }
  alerts->feature("rules", "alert_rules");
  const Entry* rules = alerts->find("rules");
  if (rules == nullptr) return;
  for_each_item(alerts->ctx(), *rules, [&](const Entry& item, std::size_t) {
    const MapReader rule(alerts->ctx(), item, {"name", "expr", "for", "labels", "annotations"});
    if (rule.is_map()) read_rule(rule, out.defaults, out.rules);
  });
}

void parse_alertmanager(const MapReader& top, std::optional<Alertmanager>& out) {
  const auto alertmanager = top.child("alertmanager", {"url"});
  top.feature("alertmanager", "alertmanager");
  if (!alertmanager) return;
  Alertmanager config;
  alertmanager->require("url");
  alertmanager->read("url", config.url, http_url_type());
  out = std::move(config);
}

void parse_access_log(const MapReader& top, AccessLog& out) {
  const auto log = top.child("access_log", {"enabled", "path", "max_size", "keep"});
  if (!log) return;
  if (log->read("enabled", out.enabled, bool_type()) && out.enabled) {
    top.feature("access_log", "access_log");
  }
  log->read_path("path", out.path);
  log->read("max_size", out.max_size, size_type());
  log->read("keep", out.keep, count_type(0, 1000));
}

void parse_log(const MapReader& top, LogConfig& out) {
  const auto log = top.child("log", {"level", "format"});
  if (!log) return;
  log->read("level", out.level,
            enum_type<LogLevel>("a log level", {{"trace", LogLevel::trace},
                                                {"debug", LogLevel::debug},
                                                {"info", LogLevel::info},
                                                {"warn", LogLevel::warn},
                                                {"error", LogLevel::error}}));
  log->read(
      "format", out.format,
      enum_type<LogFormat>("a log format", {{"text", LogFormat::text}, {"json", LogFormat::json}}));
}

}  // namespace flotilla::config
