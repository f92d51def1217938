// Revisions: JSON round trip of a full spec, template equality, numbering and trimming, and the
// file (atomic write, reload, corrupt file).
#include "supervisor/revision_history.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

config::Service full_service() {
  config::Service s;
  s.name = "web";
  s.command.argv = {"/bin/sh", "-c", "exec app --port $PORT"};
  s.command.text = "exec app --port $PORT";
  s.command.shell = true;
  s.env = {{"A", "1"}, {"B", "two"}};
  s.cwd = "/srv/app";
  s.user = "www";
  s.group = "www-data";
  s.replicas = 4;
  config::Autoscale autoscale;
  autoscale.min = 2;
  autoscale.max = 8;
  autoscale.cpu_percent = 75.0;
  autoscale.rps_per_instance = 12.5;
  autoscale.sync_period = 3s;
  autoscale.scale_up = {10s,
                        config::SelectPolicy::min,
                        {{config::ScalingPolicyType::pods, 2, config::Duration{20s}}}};
  autoscale.scale_down.select = config::SelectPolicy::disabled;
  s.autoscale = autoscale;
  s.ports = config::PortRange{8000, 8009};
  config::Probe http;
  http.http_path = "/ready";
  http.http_status = {200, 204};
  http.port = 9000;
  http.initial_delay = 500ms;
  http.period = 2s;
  http.failure_threshold = 5;
  s.probes.readiness = http;
  config::Probe exec;
  exec.kind = config::ProbeKind::exec;
  exec.exec.argv = {"/bin/true"};
  exec.exec.text = "/bin/true";
  s.probes.liveness = exec;
  s.restart.policy = config::RestartPolicy::on_failure;
  s.restart.delay = 250ms;
  s.resources.memory_bytes = 64u << 20;
  s.resources.cpu_millis = 500;
  s.rollout.max_surge = {25, true};
  s.rollout.max_unavailable = {1, false};
  s.rollout.progress_deadline = 2500ms;
  s.stop.signal = SIGINT;
  s.stop.grace = 3s;
  s.logs.keep = 2;
  return s;
}

TEST(Revision, JsonRoundTripKeepsEverySetting) {
  const config::Service original = full_service();
  const config::Service back = service_from_json(service_to_json(original));
  EXPECT_EQ(service_to_json(back), service_to_json(original));
  EXPECT_EQ(back.rollout.max_surge, (config::IntOrPercent{25, true}));
  EXPECT_EQ(back.probes.readiness->http_status, (std::vector<int>{200, 204}));
  EXPECT_EQ(back.stop.signal, SIGINT);
  EXPECT_FALSE(back.probes.startup.has_value());
  EXPECT_EQ(back.autoscale, original.autoscale);
  EXPECT_TRUE(same_template(original, back));
}

TEST(Revision, TemplateIgnoresReplicasAndTheScalingPolicy) {
  config::Service a = full_service();
  config::Service b = a;
  b.replicas = 9;
  b.autoscale->max = 20;
  b.autoscale->scale_down.stabilization = 1s;
  b.pos = config::SourcePos{3, 4};
  EXPECT_TRUE(same_template(a, b));
  b.env["A"] = "changed";
  EXPECT_FALSE(same_template(a, b));
}

TEST(RevisionHistory, NumbersGrowAndTheLastTenAreKeptWithTheCurrentOne) {
  History history;
  history.service = "web";
  history.current = add_revision(history, full_service(), "initial").number;
  EXPECT_EQ(history.current, 1u);
  for (int i = 0; i < 12; ++i) add_revision(history, full_service(), "rollout");
  EXPECT_EQ(history.revisions.size(), kRevisionsKept);
  EXPECT_EQ(history.revisions.front().number, 13u);
  EXPECT_NE(find_revision(history, 1), nullptr);  // current: kept although the oldest
  EXPECT_EQ(find_revision(history, 2), nullptr);
  EXPECT_EQ(find_revision(history, 4), nullptr);
  EXPECT_NE(find_revision(history, 5), nullptr);
}

class RevisionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flotilla-revisions-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RevisionStoreTest, SavesAtomicallyAndLoadsBack) {
  RevisionStore store(dir_);
  EXPECT_EQ(store.load("web").current, 0u);  // no file yet
  History history;
  history.service = "web";
  history.current = add_revision(history, full_service(), "initial").number;
  add_revision(history, full_service(), "rollout").outcome = "rolled back: web/4 exited";
  ASSERT_TRUE(store.save(history));
  EXPECT_TRUE(fs::exists(dir_ / "web.json"));
  EXPECT_FALSE(fs::exists(dir_ / "web.json.tmp"));

  const History loaded = store.load("web");
  EXPECT_EQ(loaded.current, 1u);
  ASSERT_EQ(loaded.revisions.size(), 2u);
  EXPECT_EQ(loaded.revisions[0].number, 2u);
  EXPECT_EQ(loaded.revisions[0].outcome, "rolled back: web/4 exited");
  EXPECT_EQ(loaded.revisions[1].cause, "initial");
  EXPECT_EQ(service_to_json(loaded.revisions[1].spec), service_to_json(full_service()));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(
                loaded.revisions[1].created.time_since_epoch()),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                history.revisions[1].created.time_since_epoch()));
}

TEST_F(RevisionStoreTest, CorruptFileIsIgnored) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "web.json") << "{\"current\": 3, \"revisions\": [";
  const History loaded = RevisionStore(dir_).load("web");
  EXPECT_EQ(loaded.current, 0u);
  EXPECT_TRUE(loaded.revisions.empty());
}

}  // namespace
}  // namespace flotilla::supervisor
