#include "app/status_view.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

using nlohmann::json;

const char* kStatus = R"json({
  "version": "0.1.0", "config": "/srv/flotilla.yaml", "uptime_seconds": 3725,
  "services": [{
    "name": "web", "revision": 3, "replicas": 2,
    "rollout": {"state": "succeeded", "revision": 3},
    "instances": [
      {"key": "web/0", "index": 0, "state": "running", "pid": 4242, "port": 18081, "ready": true,
       "uptime_seconds": 125, "restarts": 0, "revision": 3, "cpu_percent": 12.34,
       "cpu_seconds": 1.5, "memory_bytes": 12897484, "memory_limit_bytes": 268435456,
       "last_exit": null},
      {"key": null, "index": 1, "state": "starting", "pid": null, "port": 18082, "ready": false,
       "uptime_seconds": null, "restarts": 2, "revision": 3, "cpu_percent": null,
       "memory_bytes": null, "memory_limit_bytes": null,
       "last_exit": {"code": null, "signal": 9, "reason": "killed by signal 9 (Killed)"}},
      {"key": "web/2", "index": 2, "state": "stopping", "ready": false,
       "last_exit": {"code": 3, "signal": null}}
    ]
  }],
  "upstreams": [{"name": "web", "balance": "least_conn", "endpoints": [
    {"key": "web/0", "address": "127.0.0.1:18081", "up": true, "backup": false, "in_flight": 3,
     "fails": 0, "requests": 1200},
    {"key": "old", "address": "10.0.0.9:80", "up": false, "backup": true, "in_flight": 0,
     "fails": 5, "requests": 7}
  ]}],
  "listeners": [{"address": "127.0.0.1:8080", "protocols": "h2c,http/1.1"},
                {"address": "127.0.0.1:8443", "protocols": "h2,http/1.1"},
                {"address": "127.0.0.1:9000"}],
  "alerts": [{"name": "HighErrorRate", "state": "firing", "value": 0.25, "since": "2024-05-01T12:00:00Z",
              "labels": {"alertname": "HighErrorRate", "severity": "critical"}},
             {"name": "InstanceCrashLooping", "state": "inactive", "value": 0,
              "since": "2024-05-01T11:00:00Z",
              "labels": {"alertname": "InstanceCrashLooping", "replica": "web/1", "service": "web"}}]
})json";

TEST(RenderStatus, TablesForEverything) {
  EXPECT_EQ(
      render_status(json::parse(kStatus)),
      "flotilla 0.1.0 · /srv/flotilla.yaml · up 1h2m\n"
      "\n"
      "SERVICE  REVISION  REPLICAS  READY  LAST ROLLOUT\n"
      "web      3         2         1/2    rev 3 succeeded\n"
      "\n"
      "INSTANCE  STATE     READY  PID   PORT   REV  UPTIME  RESTARTS  CPU    MEMORY          LAST "
      "EXIT\n"
      "web/0     running   yes    4242  18081  3    2m5s    0         12.3%  12.3Mi/256.0Mi  -\n"
      "web/1     starting  no     -     18082  3    -       2         -      -               "
      "killed by signal 9 (Killed)\n"
      // Stopping: listed, but READY counts the 2 desired replicas, not the 3 listed.
      "web/2     stopping  no     -     -      -    -       -         -      -               "
      "exit 3\n"
      "\n"
      "UPSTREAM  BALANCE     ENDPOINT  ADDRESS          STATE          IN-FLIGHT  FAILS  REQUESTS\n"
      "web       least_conn  web/0     127.0.0.1:18081  up             3          0      1200\n"
      "web       least_conn  old       10.0.0.9:80      down (backup)  0          5      7\n"
      "\n"
      "LISTENER        PROTOCOLS\n"
      "127.0.0.1:8080  h2c,http/1.1\n"
      "127.0.0.1:8443  h2,http/1.1\n"
      "127.0.0.1:9000  -\n"
      "\n"
      "ALERT                 LABELS                     STATE     VALUE  SINCE\n"
      "HighErrorRate         -                          firing    0.25   2024-05-01T12:00:00Z\n"
      "InstanceCrashLooping  replica=web/1,service=web  inactive  0      -\n");
}

TEST(RenderStatus, SurvivesNullsAndMissingSections) {
  EXPECT_EQ(render_status(json::parse(R"({"version": null, "services": null})")), "flotilla -\n");
  EXPECT_EQ(render_status(json::parse(R"({"services": [{"name": "w", "instances": [{}]}]})")),
            "flotilla -\n"
            "\n"
            "SERVICE  REVISION  REPLICAS  READY  LAST ROLLOUT\n"
            "w        -         -         0/1    -\n"
            "\n"
            "INSTANCE  STATE  READY  PID  PORT  REV  UPTIME  RESTARTS  CPU  MEMORY  LAST EXIT\n"
            "w/-       -      -      -    -     -    -       -         -    -       -\n");
  EXPECT_EQ(render_status(json("garbage")), "flotilla -\n");
}

TEST(RenderStatus, RunningWorkersCountAsReady) {
  const std::string text = render_status(json::parse(R"({"services": [
    {"name": "celery", "revision": 1, "replicas": 2, "worker": true, "instances": [
      {"key": "celery/0", "state": "running", "ready": false},
      {"key": "celery/1", "state": "backoff", "ready": false}]}]})"));
  EXPECT_NE(text.find("celery   1         2         1/2"), std::string::npos) << text;
}

// LAST ROLLOUT reads without knowing the state names.
TEST(RenderStatus, LastRolloutSaysWhatHappened) {
  auto last_rollout = [](const char* rollout) {
    const std::string text = render_status(json::parse(
        std::string(R"({"services": [{"name": "web", "revision": 2, "replicas": 1, "rollout": )") +
        rollout + "}]}"));
    return text;
  };
  const auto has = [](const std::string& text, const char* what) {
    return text.find(what) != std::string::npos;
  };
  EXPECT_TRUE(has(last_rollout(R"({"state": "rolled_back", "revision": 3, "from_revision": 2})"),
                  "rev 3 failed, rolled back to 2"));
  EXPECT_TRUE(has(last_rollout(R"({"state": "rolled_back", "revision": 3, "from_revision": 2,
                                   "rollback_requested": true})"),
                  "rev 3 undone, rolled back to 2"));
  EXPECT_TRUE(has(last_rollout(R"({"state": "succeeded", "revision": 3, "from_revision": 2})"),
                  "rev 3 succeeded"));
  EXPECT_TRUE(has(last_rollout(R"({"state": "succeeded", "revision": 2, "from_revision": 2})"),
                  "rev 2, no change"));
  EXPECT_TRUE(has(last_rollout(R"({"state": "running", "revision": 3, "from_revision": 2})"),
                  "rolling out rev 3 (from 2)"));
  EXPECT_TRUE(has(last_rollout(R"({"state": "failed", "revision": 3, "from_revision": 2})"),
                  "rev 3 failed"));
}

TEST(RenderStatus, AutoscaledServicesGetTheirTableAndReason) {
  const std::string text = render_status(json::parse(R"json({"services": [
    {"name": "web", "revision": 1, "replicas": 4, "instances": [],
     "autoscale": {"current": 4, "desired": 4, "min": 2, "max": 4,
                   "metrics": [{"name": "cpu", "value": 152.4, "target": 50},
                               {"name": "rps", "value": null, "target": 20}],
                   "condition": "TooManyReplicas",
                   "reason": "cpu 152% (target 50%): recommend 13, keep 4 (capped at max 4)"}},
    {"name": "worker", "revision": 1, "replicas": 1, "instances": [], "autoscale": null}]})json"));
  EXPECT_NE(text.find("AUTOSCALE  CURRENT  DESIRED  MIN  MAX  METRICS                     "
                      "CONDITION\n"
                      "web        4        4        2    4    cpu 152% / 50%, rps - / 20  "
                      "TooManyReplicas\n"
                      "web: cpu 152% (target 50%): recommend 13, keep 4 (capped at max 4)\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("worker:"), std::string::npos) << text;  // no row without autoscale
  // Without an autoscaled service there is no table at all.
  EXPECT_EQ(render_status(json::parse(kStatus)).find("AUTOSCALE"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::app

namespace flotilla::app {
namespace {

TEST(ServiceStatus, OneServiceItsUpstreamsAndAlerts) {
  json status = json::parse(kStatus);
  status["services"].push_back({{"name", "worker"}, {"instances", json::array()}});
  const auto web = service_status(status, "web");
  ASSERT_TRUE(web);
  EXPECT_EQ((*web)["services"].size(), 1u);
  EXPECT_EQ((*web)["services"][0]["name"], "web");
  EXPECT_EQ((*web)["upstreams"].size(), 1u);  // it has the endpoint web/0
  EXPECT_EQ((*web)["alerts"].size(), 1u);     // only the one labelled service=web
  EXPECT_FALSE(web->contains("listeners"));
  EXPECT_EQ((*web)["version"], "0.1.0");
  const auto worker = service_status(status, "worker");
  ASSERT_TRUE(worker);
  EXPECT_TRUE((*worker)["upstreams"].empty());
  EXPECT_FALSE(service_status(status, "nope"));
}

TEST(ServiceStatus, AStoppedServiceSaysWhatStartBringsBack) {
  json status = json::parse(kStatus);
  status["services"][0]["replicas"] = 0;
  status["services"][0]["stopped_from"] = 2;
  EXPECT_NE(render_status(status).find("0 (stopped; start brings back 2)"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::app
