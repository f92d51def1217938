#include "app/log_view.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

TEST(LogView, FormatsALine) {
  const auto line = nlohmann::json::parse(
      R"({"instance": 2, "time": "2024-05-01T12:00:01.5Z", "stream": "stdout", "line": "hello\n"})");
  EXPECT_EQ(format_log_line("web", line), "2024-05-01T12:00:01.5Z web/2 | hello");
}

TEST(LogView, MarksStderrAndKeepsInstanceKeys) {
  const auto line = nlohmann::json::parse(
      R"({"instance": "web/0", "time": null, "stream": "stderr", "line": "oops"})");
  EXPECT_EQ(format_log_line("web", line), "- web/0 ! oops");
}

}  // namespace
}  // namespace flotilla::app
