// `flotilla top` with a scripted fetcher: bounded refreshes, the clear/home redraw, --once and
// --json output, and a failing fetch.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"

namespace flotilla::app {
namespace {

using namespace std::chrono_literals;

StatusFetcher counting_fetcher(int& calls) {
  return [&calls](FetchFailure&) -> std::optional<nlohmann::json> {
    ++calls;
    return nlohmann::json{
        {"services",
         {{{"name", "web"},
           {"instances",
            {{{"key", "web/1"}, {"state", "ready"}, {"cpu_seconds", calls * 0.01}}}}}}},
        {"upstreams",
         {{{"name", "app"},
           {"endpoints", {{{"key", "web/1"}, {"in_flight", 2}, {"requests", calls * 10}}}}}}}};
  };
}

TEST(TopCommand, RedrawsInPlaceABoundedNumberOfTimes) {
  int calls = 0;
  TopOptions options;
  options.interval = 10ms;
  options.max_refreshes = 3;
  options.terminal = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(top_command(options, counting_fetcher(calls)), kExitOk);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(calls, 4);
  std::size_t clears = 0;
  for (std::size_t at = out.find("\x1b[H\x1b[2J"); at != std::string::npos;
       at = out.find("\x1b[H\x1b[2J", at + 1)) {
    ++clears;
  }
  EXPECT_EQ(clears, 4u);
  EXPECT_NE(out.find("web/1"), std::string::npos);
  EXPECT_NE(out.find("IN-FLIGHT"), std::string::npos);
  EXPECT_NE(out.find("flotilla top  "), std::string::npos);  // the header line
}

TEST(TopCommand, NoEscapeCodesWhenNotATerminal) {
  int calls = 0;
  TopOptions options;
  options.interval = 10ms;
  options.max_refreshes = 2;
  options.terminal = false;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(top_command(options, counting_fetcher(calls)), kExitOk);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("web/1"), std::string::npos);
}

TEST(TopCommand, OnceAsJsonPrintsOneDocumentWithRates) {
  int calls = 0;
  TopOptions options;
  options.interval = 10ms;
  options.once = true;
  options.json = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(top_command(options, counting_fetcher(calls)), kExitOk);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(calls, 2);
  const nlohmann::json rows = nlohmann::json::parse(out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["instance"], "web/1");
  EXPECT_EQ(rows[0]["in_flight"], 2.0);
  EXPECT_GT(rows[0]["requests_per_second"].get<double>(), 0.0);
}

TEST(TopCommand, FailsWhenTheStatusCannotBeFetched) {
  TopOptions options;
  options.once = true;
  ::testing::internal::CaptureStderr();
  const int status =
      top_command(options, [](FetchFailure& failure) -> std::optional<nlohmann::json> {
        failure.message = "cannot reach http://127.0.0.1:9: Connection refused";
        failure.unreachable = true;
        return std::nullopt;
      });
  EXPECT_EQ(status, kExitUnreachable);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "flotilla top: cannot reach http://127.0.0.1:9: Connection refused\n");
}

}  // namespace
}  // namespace flotilla::app
