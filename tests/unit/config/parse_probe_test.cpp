// probes: the three kinds in their short and long forms, Kubernetes defaults and rules.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

constexpr std::string_view kHeader = "services:\n  web:\n    command: ./w\n    ports: 8000-8009\n";

Probes probes_of(std::string_view probes_yaml) {
  const Spec spec = load_ok(std::string(kHeader) + "    probes:\n" + std::string(probes_yaml));
  return spec.services.empty() ? Probes{} : spec.services[0].probes;
}

TEST(ParseProbe, ShortFormsAndKubernetesDefaults) {
  const Probes probes = probes_of(
      "      startup: { http: /health }\n"
      "      readiness: { tcp: true }\n"
      "      liveness: { exec: \"test -f /tmp/ok\" }\n");
  ASSERT_TRUE(probes.startup && probes.readiness && probes.liveness);
  EXPECT_EQ(probes.startup->kind, ProbeKind::http);
  EXPECT_EQ(probes.startup->http_path, "/health");
  EXPECT_TRUE(probes.startup->http_status.empty());
  EXPECT_FALSE(probes.startup->port);
  EXPECT_EQ(probes.startup->initial_delay, std::chrono::seconds(0));
  EXPECT_EQ(probes.startup->period, std::chrono::seconds(10));
  EXPECT_EQ(probes.startup->timeout, std::chrono::seconds(1));
  EXPECT_EQ(probes.startup->success_threshold, 1u);
  EXPECT_EQ(probes.startup->failure_threshold, 3u);
  EXPECT_EQ(probes.readiness->kind, ProbeKind::tcp);
  EXPECT_EQ(probes.liveness->kind, ProbeKind::exec);
  EXPECT_EQ(probes.liveness->exec.argv, (std::vector<std::string>{"test", "-f", "/tmp/ok"}));
}

TEST(ParseProbe, LongFormsAndTimings) {
  const Probes probes = probes_of(
      "      startup: { http: { path: /up, status: [200, 204], port: 9000 }, period: 1s,"
      " failure_threshold: 30 }\n"
      "      readiness: { tcp: { port: 5432 }, initial_delay: 5s, timeout: 3s,"
      " success_threshold: 2 }\n"
      "      liveness: { exec: [pg_isready, -q], period: 20s }\n");
  ASSERT_TRUE(probes.startup && probes.readiness && probes.liveness);
  EXPECT_EQ(probes.startup->http_path, "/up");
  EXPECT_EQ(probes.startup->http_status, (std::vector<int>{200, 204}));
  EXPECT_EQ(probes.startup->port, 9000);
  EXPECT_EQ(probes.startup->period, std::chrono::seconds(1));
  EXPECT_EQ(probes.startup->failure_threshold, 30u);
  EXPECT_EQ(probes.readiness->port, 5432);
  EXPECT_EQ(probes.readiness->initial_delay, std::chrono::seconds(5));
  EXPECT_EQ(probes.readiness->timeout, std::chrono::seconds(3));
  EXPECT_EQ(probes.readiness->success_threshold, 2u);
  EXPECT_EQ(probes.liveness->exec.argv, (std::vector<std::string>{"pg_isready", "-q"}));
  EXPECT_EQ(probes.liveness->period, std::chrono::seconds(20));
}

TEST(ParseProbe, StatusMayBeOneCode) {
  const Probes probes = probes_of("      readiness: { http: { path: /, status: 204 } }\n");
  ASSERT_TRUE(probes.readiness);
  EXPECT_EQ(probes.readiness->http_status, std::vector<int>{204});
}

TEST(ParseProbe, WorkersNeedAnExplicitPortOrExec) {
  const Spec spec = load_ok(
      "services:\n  worker:\n    command: ./w\n    probes:\n"
      "      readiness: { tcp: { port: 6379 } }\n      liveness: { exec: [celery, inspect, ping] "
      "}\n");
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_EQ(spec.services[0].probes.readiness->port, 6379);
}

TEST(ParseProbe, ReportsMistakes) {
  EXPECT_EQ(errors_of(std::string(kHeader) + R"(    probes:
      startup: { http: { path: up, status: 700 } }
      readiness: { tcp: false, failure_threshold: 0 }
      liveness: { exec: "a | b", http: /x }
      warmup: { http: / }
)"),
            (Lines{
                "6:32: services.web.probes.startup.http.path: must start with '/', got 'up'",
                "6:44: services.web.probes.startup.http.status: must be between 100 and 599, got "
                "700",
                "7:25: services.web.probes.readiness.tcp: expected true or {port: N}, got 'false'",
                "7:51: services.web.probes.readiness.failure_threshold: must be between 1 and "
                "1000, got 0",
                "8:34: 'exec' and 'http' are mutually exclusive in services.web.probes.liveness",
                "9:7: unknown key 'warmup' in services.web.probes",
            }));
}

}  // namespace
}  // namespace flotilla::config
