// services: commands, replicas/autoscale, ports, restart, resources, rollout, stop, logs.
#include <csignal>

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;
using Words = std::vector<std::string>;

TEST(ParseService, DefaultsFollowSystemdAndKubernetes) {
  const Spec spec = load_ok("services:\n  worker:\n    command: ./worker --queue jobs\n");
  ASSERT_EQ(spec.services.size(), 1u);
  const Service& s = spec.services[0];
  EXPECT_EQ(s.name, "worker");
  EXPECT_EQ(s.pos, (SourcePos{2, 3}));
  EXPECT_EQ(s.command.argv, (Words{"./worker", "--queue", "jobs"}));
  EXPECT_EQ(s.command.text, "./worker --queue jobs");
  EXPECT_FALSE(s.command.shell);
  EXPECT_TRUE(s.env.empty());
  EXPECT_EQ(s.cwd, "/srv/app");
  EXPECT_FALSE(s.user);
  EXPECT_EQ(s.replicas, 1u);
  EXPECT_FALSE(s.autoscale);
  EXPECT_FALSE(s.ports);
  EXPECT_FALSE(s.probes.startup || s.probes.readiness || s.probes.liveness);
  EXPECT_EQ(s.restart.policy, RestartPolicy::always);
  EXPECT_EQ(s.restart.delay, std::chrono::seconds(1));
  EXPECT_EQ(s.restart.max_delay, std::chrono::minutes(5));
  EXPECT_EQ(s.restart.reset_after, std::chrono::minutes(10));
  EXPECT_FALSE(s.resources.cpu_millis || s.resources.memory_bytes || s.resources.pids);
  EXPECT_EQ(s.rollout.max_surge, (IntOrPercent{1, false}));
  EXPECT_EQ(s.rollout.max_unavailable, (IntOrPercent{0, false}));
  EXPECT_EQ(s.rollout.progress_deadline, std::chrono::seconds(60));
  EXPECT_EQ(s.stop.signal, SIGTERM);
  EXPECT_EQ(s.stop.grace, std::chrono::seconds(30));
  EXPECT_EQ(s.logs.max_size, 10u * 1024 * 1024);
  EXPECT_EQ(s.logs.keep, 5u);
}

TEST(ParseService, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
services:
  web:
    command: [/usr/bin/python3, -m, uvicorn, "app:app", --port, $PORT]
    env: { DEBUG: "1", EMPTY: "", DB: "${DB_URL:-sqlite:///x.db}" }
    cwd: app
    user: www-data
    group: www-data
    replicas: 3
    ports: 8000-8099
    restart: { policy: on-failure, delay: 2s, max_delay: 1m, reset_after: 1h }
    resources: { cpu: 1.5, memory: 512Mi, pids: 256 }
    rollout: { max_surge: 25%, max_unavailable: 1, progress_deadline: 5m }
    stop: { signal: SIGQUIT, grace: 10s }
    logs: { max_size: 1Mi, keep: 0 }
  sh:
    command: "echo $HOME | tee out"
    shell: true
    stop: { signal: USR2 }
)");
  ASSERT_EQ(spec.services.size(), 2u);
  const Service& web = spec.services[0];
  EXPECT_EQ(web.command.argv,
            (Words{"/usr/bin/python3", "-m", "uvicorn", "app:app", "--port", "$PORT"}));
  EXPECT_EQ(web.command.text, "/usr/bin/python3 -m uvicorn app:app --port $PORT");
  EXPECT_EQ(web.env, (StringMap{{"DEBUG", "1"}, {"EMPTY", ""}, {"DB", "sqlite:///x.db"}}));
  EXPECT_EQ(web.cwd, "/srv/app/app");
  EXPECT_EQ(web.user, "www-data");
  EXPECT_EQ(web.group, "www-data");
  EXPECT_EQ(web.replicas, 3u);
  EXPECT_EQ(web.ports, (PortRange{8000, 8099}));
  EXPECT_EQ(web.restart.policy, RestartPolicy::on_failure);
  EXPECT_EQ(web.restart.delay, std::chrono::seconds(2));
  EXPECT_EQ(web.restart.max_delay, std::chrono::minutes(1));
  EXPECT_EQ(web.restart.reset_after, std::chrono::hours(1));
  EXPECT_EQ(web.resources.cpu_millis, 1500u);
  EXPECT_EQ(web.resources.memory_bytes, 512u << 20);
  EXPECT_EQ(web.resources.pids, 256u);
  EXPECT_EQ(web.rollout.max_surge, (IntOrPercent{25, true}));
  EXPECT_EQ(web.rollout.max_unavailable, (IntOrPercent{1, false}));
  EXPECT_EQ(web.rollout.progress_deadline, std::chrono::minutes(5));
  EXPECT_EQ(web.stop.signal, SIGQUIT);
  EXPECT_EQ(web.stop.grace, std::chrono::seconds(10));
  EXPECT_EQ(web.logs.max_size, 1u << 20);
  EXPECT_EQ(web.logs.keep, 0u);
  const Service& sh = spec.services[1];
  EXPECT_TRUE(sh.command.shell);
  EXPECT_EQ(sh.command.argv, (Words{"/bin/sh", "-c", "echo $HOME | tee out"}));
  EXPECT_EQ(sh.stop.signal, SIGUSR2);
}

TEST(ParseService, AutoscaleStartsAtMinAndDefaultsToCpu80) {
  const Spec spec = load_ok(R"(
services:
  a:
    command: ./a
    autoscale: { min: 2, max: 10, cpu: 70%, memory: 80% }
    resources: { memory: 512Mi }
  b:
    command: ./b
    autoscale: { max: 4 }
)");
  ASSERT_EQ(spec.services.size(), 2u);
  const Service& a = spec.services[0];
  ASSERT_TRUE(a.autoscale);
  EXPECT_EQ(a.replicas, 2u);
  EXPECT_EQ(a.autoscale->min, 2u);
  EXPECT_EQ(a.autoscale->max, 10u);
  EXPECT_EQ(a.autoscale->cpu_percent, 70.0);
  EXPECT_EQ(a.autoscale->memory_percent, 80.0);
  const Service& b = spec.services[1];
  ASSERT_TRUE(b.autoscale);
  EXPECT_EQ(b.replicas, 1u);
  EXPECT_EQ(b.autoscale->cpu_percent, 80.0);
  EXPECT_FALSE(b.autoscale->memory_percent);
}

TEST(ParseService, ReportsLocalMistakes) {
  EXPECT_EQ(errors_of(R"(services:
  web:
    command: "./server 'unterminated"
    replicas: -1
    ports: 8000-8001
    autoscale: { min: 5, max: 3 }
    restart: { delay: 10m, max_delay: 1m }
    rollout: { max_surge: 0, max_unavailable: 0% }
    stop: { signal: SIGSEGV }
    env: { 1BAD: x }
  sh:
    command: [sh, -c, "echo hi"]
    shell: true
  "bad name":
    command: ./x
  empty:
    command: []
  nothing:
    command: ""
    resources: { memory: 0 }
)"),
            (Lines{
                "3:14: services.web.command: unterminated single quote",
                "4:15: services.web.replicas: must not be negative, got -1",
                "5:12: services.web.ports: 8000-8001 has 2 port(s) but the service runs up to 5 "
                "instances",
                "6:5: 'replicas' and 'autoscale' are mutually exclusive in service 'web'",
                "6:31: services.web.autoscale.max: 3 is less than min (5)",
                "7:39: services.web.restart: delay (10m) is longer than max_delay (1m)",
                "8:14: services.web.rollout: max_surge and max_unavailable cannot both be 0 (the "
                "rollout could never make progress)",
                "9:21: services.web.stop.signal: expected one of TERM, INT, QUIT, HUP, KILL, USR1, "
                "USR2, got 'SIGSEGV'",
                "10:12: services.web.env.1BAD: invalid environment variable name '1BAD'",
                "12:14: services.sh.command: with 'shell: true' the command must be one string",
                "14:3: services: invalid name 'bad name': use letters, digits, '-' and '_', "
                "starting with a letter or digit, at most 63 characters",
                "17:14: services.empty.command: empty command",
                "19:14: services.nothing.command: empty command",
                "20:26: services.nothing.resources.memory: must be greater than 0",
            }));
}

TEST(ParseService, PortsMustCoverEveryInstanceIncludingTheSurge) {
  EXPECT_EQ(
      errors_of("services:\n  web:\n    command: ./w\n    replicas: 2\n    ports: 8000-8001\n"),
      Lines{"5:12: services.web.ports: 8000-8001 has 2 port(s) but the service runs up to 2 "
            "instances (3 during a rollout)"});
  EXPECT_EQ(errors_of("services:\n  web:\n    command: ./w\n    replicas: 2\n    ports: 8000-8001\n"
                      "    rollout: { max_surge: 0, max_unavailable: 1 }\n"),
            Lines{});
  EXPECT_EQ(errors_of("services:\n  web:\n    command: ./w\n    autoscale: { max: 4 }\n"
                      "    ports: 8000-8003\n    rollout: { max_surge: 50% }\n"),
            Lines{"5:12: services.web.ports: 8000-8003 has 4 port(s) but the service runs up to 4 "
                  "instances (6 during a rollout)"});
}

TEST(ParseService, ServicesMustBeAMapping) {
  EXPECT_EQ(errors_of("services:\n  - web\n"),
            Lines{"2:3: services: expected a mapping, got a list"});
  EXPECT_EQ(errors_of("services:\n  web: ./server\n"),
            Lines{"2:8: services.web: expected a mapping, got './server'"});
}

}  // namespace
}  // namespace flotilla::config
