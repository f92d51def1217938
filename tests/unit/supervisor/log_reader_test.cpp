#include "supervisor/log_reader.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "supervisor/line_stamper.hpp"

namespace flotilla::supervisor {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::time_point(std::chrono::hours(500'000));

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flotilla-log-reader-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void append(const std::string& file, std::chrono::seconds ago, const std::string& text) {
    std::ofstream out(dir_ / file, std::ios::app);
    out << format_log_time(kNow - ago) << ' ' << text << '\n';
  }

  fs::path dir_;
};

TEST_F(LogReaderTest, MergesInstancesInTimeOrderAndIgnoresOtherServices) {
  append("web-0.log", std::chrono::seconds(30), "zero old");
  append("web-1.log", std::chrono::seconds(20), "one");
  append("web-0.log", std::chrono::seconds(10), "zero new");
  append("web-api-0.log", std::chrono::seconds(5), "other service");
  append("webx-0.log", std::chrono::seconds(5), "other service");
  const LogPage page = read_logs(dir_, "web", {}, kNow);
  ASSERT_EQ(page.lines.size(), 3u);
  EXPECT_EQ(page.lines[0].line, "zero old");
  EXPECT_EQ(page.lines[1].line, "one");
  EXPECT_EQ(page.lines[1].instance, 1u);
  EXPECT_EQ(page.lines[2].line, "zero new");
}

TEST_F(LogReaderTest, InstanceSinceAndLimitFilter) {
  for (int i = 0; i < 10; ++i)
    append("web-0.log", std::chrono::seconds(100 - i * 10), "a" + std::to_string(i));
  append("web-1.log", std::chrono::seconds(1), "b");
  LogQuery query;
  query.instance = 0;
  query.since = std::chrono::seconds(35);
  LogPage page = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(page.lines.size(), 3u);  // 30, 20, 10 s ago
  EXPECT_EQ(page.lines.front().line, "a7");
  query = {};
  query.limit = 2;
  page = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(page.lines.size(), 2u);
  EXPECT_EQ(page.lines[0].line, "a9");
  EXPECT_EQ(page.lines[1].line, "b");
}

TEST_F(LogReaderTest, CursorReturnsOnlyCompleteNewLines) {
  append("web-0.log", std::chrono::seconds(3), "first");
  const LogPage first = read_logs(dir_, "web", {}, kNow);
  ASSERT_EQ(first.lines.size(), 1u);
  {
    std::ofstream out(dir_ / "web-0.log", std::ios::app);
    out << format_log_time(kNow) << " second\npartial";
  }
  LogQuery query;
  query.cursor = first.cursor;
  const LogPage second = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(second.lines.size(), 1u);
  EXPECT_EQ(second.lines[0].line, "second");
  {
    std::ofstream out(dir_ / "web-0.log", std::ios::app);
    out << " done\n";
  }
  query.cursor = second.cursor;
  const LogPage third = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(third.lines.size(), 1u);
  EXPECT_EQ(third.lines[0].line, "partial done");
}

TEST_F(LogReaderTest, RotatedFileRestartsFromItsBeginning) {
  append("web-0.log", std::chrono::seconds(3), "a long line before rotation");
  const LogPage first = read_logs(dir_, "web", {}, kNow);
  fs::rename(dir_ / "web-0.log", dir_ / "web-0.log.1");
  append("web-0.log", std::chrono::seconds(1), "new");
  LogQuery query;
  query.cursor = first.cursor;
  const LogPage next = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(next.lines.size(), 1u);
  EXPECT_EQ(next.lines[0].line, "new");
}

TEST_F(LogReaderTest, UnstampedLinesAndMalformedCursorAreTolerated) {
  {
    std::ofstream out(dir_ / "web-0.log");
    out << "no stamp here\n";
  }
  LogQuery query;
  query.cursor = "garbage";
  const LogPage page = read_logs(dir_, "web", query, kNow);
  ASSERT_EQ(page.lines.size(), 1u);
  EXPECT_EQ(page.lines[0].time, "");
  EXPECT_EQ(page.lines[0].line, "no stamp here");
}

}  // namespace
}  // namespace flotilla::supervisor
