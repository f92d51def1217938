#include "app/history_view.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

TEST(RenderHistory, MarksTheCurrentRevision) {
  const auto revisions = nlohmann::json::parse(R"({
    "service": "web", "current": 2,
    "revisions": [
      {"revision": 1, "created": "2024-05-01T10:00:00Z", "command": ["python3", "app.py"],
       "env": {}, "replicas": 3, "cause": "initial"},
      {"revision": 2, "created": "2024-05-01T11:00:00Z", "command": "python3 app.py --v2",
       "env": {"MODE": "fast", "DEBUG": "0"}, "replicas": 3, "cause": "rollout"}
    ]})");
  EXPECT_EQ(render_history(revisions),
            "   REVISION  CREATED               REPLICAS  CAUSE    OUTCOME   COMMAND              "
            "ENV\n"
            "   1         2024-05-01T10:00:00Z  3         initial  replaced  python3 app.py       "
            "-\n"
            "*  2         2024-05-01T11:00:00Z  3         rollout  current   python3 app.py --v2  "
            "DEBUG=0 MODE=fast\n");
}

TEST(RenderHistory, SaysWhichRolloutsRolledBack) {
  const auto revisions = nlohmann::json::parse(R"({
    "service": "web", "current": 2,
    "revisions": [
      {"revision": 2, "created": "2024-05-01T10:00:00Z", "command": "app", "env": {},
       "replicas": 1, "cause": "initial", "outcome": ""},
      {"revision": 3, "created": "2024-05-01T11:00:00Z", "command": "app --bad", "env": {},
       "replicas": 1, "cause": "rollout",
       "outcome": "rolled back: web/1 of revision 3 exited before becoming ready: exit code 1"}
    ]})");
  const std::string out = render_history(revisions);
  EXPECT_NE(out.find("*  2         2024-05-01T10:00:00Z  1         initial  current"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("rolled back: web/1 of revision 3 exited before becoming ready: exit code 1"),
            std::string::npos)
      << out;
}

TEST(RenderHistory, NoRevisions) {
  EXPECT_EQ(render_history(nlohmann::json::parse(R"({"service": "web", "revisions": []})")),
            "web: no revisions\n");
  EXPECT_EQ(render_history(nlohmann::json()), "-: no revisions\n");
}

}  // namespace
}  // namespace flotilla::app
