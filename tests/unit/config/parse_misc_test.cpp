// The small top-level sections: compression, admin, alerts, alertmanager, access_log, log.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

TEST(ParseMisc, Defaults) {
  const Spec spec = load_ok("services:\n  w: { command: ./w }\n");
  EXPECT_FALSE(spec.compression.enabled);
  EXPECT_TRUE(spec.compression.gzip);
  EXPECT_TRUE(spec.compression.brotli);
  EXPECT_TRUE(spec.compression.zstd);
  EXPECT_EQ(spec.compression.levels, (CompressionLevels{6, 4, 3}));
  EXPECT_EQ(spec.compression.min_length, 1000u);
  EXPECT_FALSE(spec.compression.types.empty());
  EXPECT_EQ(spec.admin.listen, (Address{Address::Kind::tcp, "127.0.0.1", 9090, ""}));
  EXPECT_EQ(spec.admin.socket, "/srv/app/flotilla.sock");
  EXPECT_FALSE(spec.admin.token_file);
  EXPECT_FALSE(spec.admin.token_env);
  EXPECT_TRUE(spec.alerts.defaults);
  EXPECT_EQ(spec.alerts.evaluation_interval, std::chrono::seconds(15));
  EXPECT_TRUE(spec.alerts.rules.empty());
  EXPECT_FALSE(spec.alertmanager);
  EXPECT_FALSE(spec.access_log.enabled);
  EXPECT_FALSE(spec.access_log.path);
  EXPECT_EQ(spec.state_dir, "/srv/app/.flotilla");
  EXPECT_EQ(spec.log.level, LogLevel::info);
  EXPECT_EQ(spec.log.format, LogFormat::text);
  EXPECT_EQ(spec.workers, 0u);
}

TEST(ParseMisc, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
workers: 4
services:
  w: { command: ./w }
compression: { gzip: true, brotli: false, levels: { gzip: 9, brotli: 11, zstd: 19 }, min_length: 256, types: [text/*, application/json] }
admin: { listen: "127.0.0.1:9100", socket: /run/flotilla.sock, token_env: FLOTILLA_TOKEN }
alerts:
  defaults: false
  evaluation_interval: 30s
  rules:
    - name: HighErrorRate
      expr: "rate(http_requests_total{status=~\"5..\"}[5m]) > 0.1"
      for: 5m
      labels: { severity: critical }
      annotations: { summary: "Too many 5xx" }
    - { name: Quiet, expr: "up == 0" }
alertmanager: { url: "http://127.0.0.1:9093" }
access_log: { enabled: true, path: logs/access.log, max_size: 50Mi, keep: 3 }
state_dir: /var/lib/flotilla
log: { level: debug, format: json }
)");
  EXPECT_EQ(spec.workers, 4u);
  EXPECT_TRUE(spec.compression.enabled);
  EXPECT_TRUE(spec.compression.gzip);
  EXPECT_FALSE(spec.compression.brotli);
  EXPECT_EQ(spec.compression.levels, (CompressionLevels{9, 11, 19}));
  EXPECT_EQ(spec.compression.min_length, 256u);
  EXPECT_EQ(spec.compression.types, (std::vector<std::string>{"text/*", "application/json"}));
  EXPECT_EQ(spec.compression.types, (std::vector<std::string>{"text/*", "application/json"}));
  EXPECT_EQ(spec.admin.listen.port, 9100);
  EXPECT_EQ(spec.admin.socket, "/run/flotilla.sock");
  EXPECT_EQ(spec.admin.token_env, "FLOTILLA_TOKEN");
  EXPECT_FALSE(spec.alerts.defaults);
  EXPECT_EQ(spec.alerts.evaluation_interval, std::chrono::seconds(30));
  ASSERT_EQ(spec.alerts.rules.size(), 2u);
  const AlertRule& rule = spec.alerts.rules[0];
  EXPECT_EQ(rule.name, "HighErrorRate");
  EXPECT_EQ(rule.expr, "rate(http_requests_total{status=~\"5..\"}[5m]) > 0.1");
  EXPECT_EQ(rule.for_duration, std::chrono::minutes(5));
  EXPECT_EQ(rule.labels, (StringMap{{"severity", "critical"}}));
  EXPECT_EQ(rule.annotations, (StringMap{{"summary", "Too many 5xx"}}));
  EXPECT_EQ(rule.pos, (SourcePos{11, 7}));
  EXPECT_EQ(spec.alerts.rules[1].for_duration, std::chrono::seconds(0));
  ASSERT_TRUE(spec.alertmanager);
  EXPECT_EQ(spec.alertmanager->url, "http://127.0.0.1:9093");
  EXPECT_TRUE(spec.access_log.enabled);
  EXPECT_EQ(spec.access_log.path, "/srv/app/logs/access.log");
  EXPECT_EQ(spec.access_log.max_size, 50u << 20);
  EXPECT_EQ(spec.access_log.keep, 3u);
  EXPECT_EQ(spec.state_dir, "/var/lib/flotilla");
  EXPECT_EQ(spec.log.level, LogLevel::debug);
  EXPECT_EQ(spec.log.format, LogFormat::json);
}

TEST(ParseMisc, CompressionPerRouteOverridesTheGlobalBlock) {
  const Spec spec = load_ok(R"(
listen: [{ address: "127.0.0.1:8080" }]
upstreams: { app: { servers: ["127.0.0.1:1"] } }
compression: { min_length: 10, levels: { gzip: 4 } }
routes:
  - { match: { path: /a/ }, upstream: app, compression: false }
  - { match: { path: /b/ }, upstream: app, compression: { levels: { brotli: 9 } } }
  - { match: { path: /c/ }, upstream: app, compression: true }
  - { upstream: app }
)");
  ASSERT_EQ(spec.routes.size(), 4u);
  ASSERT_TRUE(spec.routes[0].compression);
  EXPECT_FALSE(spec.routes[0].compression->enabled);
  ASSERT_TRUE(spec.routes[1].compression);
  EXPECT_TRUE(spec.routes[1].compression->enabled);
  EXPECT_EQ(spec.routes[1].compression->levels, (CompressionLevels{4, 9, 3}));
  EXPECT_EQ(spec.routes[1].compression->min_length, 10u);
  ASSERT_TRUE(spec.routes[2].compression);
  EXPECT_EQ(*spec.routes[2].compression, spec.compression);
  EXPECT_FALSE(spec.routes[3].compression);
  // A route may turn compression on when the file does not.
  const Spec off = load_ok(R"(
listen: [{ address: "127.0.0.1:8080" }]
upstreams: { app: { servers: ["127.0.0.1:1"] } }
routes:
  - { upstream: app, compression: { zstd: false } }
)");
  EXPECT_FALSE(off.compression.enabled);
  EXPECT_TRUE(off.routes[0].compression->enabled);
  EXPECT_FALSE(off.routes[0].compression->zstd);
}

TEST(ParseMisc, CompressionMistakesAtTheirPosition) {
  EXPECT_EQ(errors_of(R"(compression:
  levels: { gzip: 10, brotli: -1, zstd: 22 }
  types: [text/html, "text/html; charset=utf-8", "*", "text/"]
listen: [{ address: "127.0.0.1:8080" }]
upstreams: { app: { servers: ["127.0.0.1:1"] } }
routes:
  - { upstream: app, compression: { levels: { gzip: 0 }, gzp: true } }
)"),
            (Lines{
                "2:19: compression.levels.gzip: must be between 1 and 9, got 10",
                "2:31: compression.levels.brotli: must not be negative, got -1",
                "2:41: compression.levels.zstd: must be between 1 and 19, got 22",
                "3:22: compression.types[1]: invalid MIME type 'text/html; charset=utf-8', e.g. "
                "text/html or text/* (no parameters)",
                "3:50: compression.types[2]: invalid MIME type '*', e.g. text/html or text/* (no "
                "parameters)",
                "3:55: compression.types[3]: invalid MIME type 'text/', e.g. text/html or text/* "
                "(no parameters)",
                "7:53: routes[0].compression.levels.gzip: must be between 1 and 9, got 0",
                "7:58: unknown key 'gzp' in routes[0].compression (did you mean 'gzip'?)",
            }));
}

TEST(ParseMisc, WorkersAcceptsAuto) {
  EXPECT_EQ(load_ok("workers: auto\nservices:\n  w: { command: ./w }\n").workers, 0u);
}

TEST(ParseMisc, ReportsMistakes) {
  EXPECT_EQ(
      errors_of(R"(workers: 0
compression: { gzip: yes, types: [html] }
admin: { listen: "unix:/run/a.sock", token_file: t, token_env: T }
alerts:
  rules:
    - { name: HighErrorRate, expr: "x > 1" }
    - { name: Mine, expr: "a" }
    - { name: Mine, expr: "b" }
    - { expr: "c", for: soon }
alertmanager: { url: "127.0.0.1:9093" }
log: { level: verbose }
)"),
      (Lines{
          "1:10: workers: expected 'auto' or a thread count from 1 to 1024, got '0'",
          "2:22: compression.gzip: expected true or false, got 'yes'",
          "2:35: compression.types[0]: invalid MIME type 'html', e.g. text/html or text/* (no "
          "parameters)",
          "3:18: admin.listen: must be a TCP address; use 'socket' for the unix socket",
          "3:53: 'token_file' and 'token_env' are mutually exclusive in admin",
          "6:15: alerts.rules[0].name: 'HighErrorRate' is a built-in rule; set "
          "alerts.defaults: false to replace it",
          "8:15: alerts.rules[2].name: duplicate rule name 'Mine' (first on line 7)",
          "9:7: missing required key 'name' in alerts.rules[3]",
          "9:25: alerts.rules[3].for: invalid duration 'soon': expected a number at 'soon'",
          "10:22: alertmanager.url: invalid URL '127.0.0.1:9093': expected "
          "http://HOST[:PORT]/...",
          "11:15: log.level: expected one of trace, debug, info, warn, error, got 'verbose'",
      }));
}

TEST(ParseMisc, DefaultRulesTakeWindows) {
  Spec spec = load_ok(
      "alerts:\n  evaluation_interval: 1s\n  defaults: { window: 10s, "
      "restart_window: 30s, for: 2s }\n");
  EXPECT_TRUE(spec.alerts.defaults);
  EXPECT_EQ(spec.alerts.default_rules.window, std::chrono::seconds(10));
  EXPECT_EQ(spec.alerts.default_rules.restart_window, std::chrono::seconds(30));
  EXPECT_EQ(spec.alerts.default_rules.for_duration, std::chrono::seconds(2));
  spec = load_ok("alerts: { defaults: false }\n");
  EXPECT_FALSE(spec.alerts.defaults);
  EXPECT_EQ(spec.alerts.default_rules.window, std::chrono::minutes(5));
  EXPECT_EQ(spec.alerts.default_rules.restart_window, std::chrono::minutes(15));
  EXPECT_EQ(spec.alerts.default_rules.for_duration, std::chrono::minutes(5));
  EXPECT_EQ(errors_of("alerts:\n  defaults: { window: 10s, windw: 1s, restart_window: 20s }\n"),
            (Lines{"2:23: alerts.defaults.window: must be at least twice "
                   "alerts.evaluation_interval (15s): rate() needs two samples in its window",
                   "2:28: unknown key 'windw' in alerts.defaults (did you mean 'window'?)",
                   "2:55: alerts.defaults.restart_window: must be at least twice "
                   "alerts.evaluation_interval (15s): rate() needs two samples in its window"}));
}

TEST(ParseMisc, BadExpressionsPointIntoTheScalar) {
  EXPECT_EQ(errors_of(R"yaml(alerts:
  rules:
    - { name: A, expr: rate(x) > 1 }
    - { name: B, expr: "sum(rate(y{s=\"5..\"}[5q]))" }
    - { name: C, expr: 'y{s="a"} > bool' }
    - name: D
      expr: |
        sum by (le) (
          rate(z[5m]) offset 1m
        )
    - name: E
      expr: >
        foo(x)
    - { name: F, expr: "topk(3, x)", for: 1m }
)yaml"),
            (Lines{
                "3:29: alerts.rules[0].expr: rate() expects a range vector such as x[5m] as "
                "argument 1, got an instant vector",
                "4:47: alerts.rules[1].expr: invalid duration '5q', e.g. 30s, 5m, 1h",
                "5:40: alerts.rules[2].expr: expected an expression, got the end of the "
                "expression",
                "9:23: alerts.rules[3].expr: expected ')' to close 'sum(', got 'offset'",
                "12:13: alerts.rules[4].expr: unknown or unsupported function 'foo' (at "
                "character 1 of the expression)",
                "14:25: alerts.rules[5].expr: aggregation 'topk' is not supported",
            }));
}

}  // namespace
}  // namespace flotilla::config
