#include "app/rollout_view.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

using nlohmann::json;

json rollout(std::string state, std::string message = "") {
  json r{{"service", "web"},
         {"revision", 4},
         {"from_revision", 3},
         {"state", state},
         {"phase", "waiting for readiness"},
         {"desired", 3},
         {"updated", 2},
         {"ready", 1}};
  r["message"] = message.empty() ? json() : json(message);
  return r;
}

TEST(RolloutView, FinishedStates) {
  EXPECT_FALSE(rollout_finished(rollout("running")));
  for (const char* state : {"succeeded", "rolled_back", "failed"}) {
    EXPECT_TRUE(rollout_finished(rollout(state))) << state;
  }
  EXPECT_TRUE(rollout_succeeded(rollout("succeeded")));
  EXPECT_FALSE(rollout_succeeded(rollout("rolled_back")));
  EXPECT_FALSE(rollout_finished(json()));
}

TEST(RolloutView, ProgressBar) {
  EXPECT_EQ(progress_bar(0, 10), "[----------]");
  EXPECT_EQ(progress_bar(0.5, 10), "[#####-----]");
  EXPECT_EQ(progress_bar(1.7, 4), "[####]");
  EXPECT_EQ(progress_bar(-1, 4), "[----]");
}

TEST(RolloutView, ProgressLine) {
  EXPECT_EQ(rollout_progress_line(rollout("running"), false),
            "web 3→4 updated 2/3 ready 1/3 · waiting for readiness");
  // (2 updated + 1 ready) / (2 * 3) = half of the bar.
  EXPECT_EQ(rollout_progress_line(rollout("running"), true),
            "web 3→4 [##########----------] updated 2/3 ready 1/3 · waiting for readiness");
  EXPECT_EQ(rollout_progress_line(json{{"service", "web"}, {"revision", 1}}, true),
            "web revision 1 updated -/- ready -/-");
}

TEST(RolloutView, Summary) {
  EXPECT_EQ(rollout_summary(rollout("succeeded")), "web: rollout to revision 4 succeeded");
  // The server sends an empty string (not null) for a success.
  json success = rollout("succeeded");
  success["message"] = "";
  EXPECT_EQ(rollout_summary(success), "web: rollout to revision 4 succeeded");
  EXPECT_EQ(rollout_summary(rollout("rolled_back", "web/0 not ready within 30s")),
            "web: rollout to revision 4 rolled back to revision 3: web/0 not ready within 30s");
  EXPECT_EQ(rollout_summary(rollout("failed", "exec failed")),
            "web: rollout to revision 4 failed: exec failed");
  json same = rollout("succeeded");
  same["from_revision"] = 4;
  same["phase"] = "no change";
  EXPECT_EQ(rollout_summary(same), "web: no change (already revision 4)");
  same["phase"] = "no new revision: scaled 1 → 4";
  EXPECT_EQ(rollout_summary(same), "web: no new revision: scaled 1 → 4 (revision 4)");
}

TEST(RolloutView, ARolledBackRolloutShowsTheFailingInstanceLastLines) {
  json r = rollout("rolled_back", "web/1 of revision 4 exited before becoming ready: exit code 1");
  r["failed_instance"] = "web/1";
  r["failed_instance_log"] = {"config error: DATABASE_URL is not set",
                              "flotilla: pid 42 exited: exit code 1 after 12 ms"};
  EXPECT_EQ(rollout_summary(r),
            "web: rollout to revision 4 rolled back to revision 3: web/1 of revision 4 exited "
            "before becoming ready: exit code 1\n"
            "last log lines of web/1:\n"
            "  config error: DATABASE_URL is not set\n"
            "  flotilla: pid 42 exited: exit code 1 after 12 ms");
  r["failed_instance_log"] = json::array();  // nothing logged: no heading
  EXPECT_EQ(rollout_summary(r).find("last log lines"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::app
