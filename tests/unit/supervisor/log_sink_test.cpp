#include "supervisor/log_sink.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class LogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flotilla-log-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LogSinkTest, RotatedNames) {
  EXPECT_EQ(rotated_name("/x/web-0.log", 0), fs::path("/x/web-0.log"));
  EXPECT_EQ(rotated_name("/x/web-0.log", 3), fs::path("/x/web-0.log.3"));
}

TEST_F(LogSinkTest, CreatesTheDirectoryAndAppends) {
  const fs::path live = dir_ / "logs" / "web-0.log";
  {
    RotatingFile file(live, {1024, 2});
    ASSERT_TRUE(file.ok());
    file.write("one\n");
  }
  RotatingFile again(live, {1024, 2});
  again.write("two\n");
  EXPECT_EQ(slurp(live), "one\ntwo\n");
}

TEST_F(LogSinkTest, RotatesBySizeAndKeepsOnlyKeep) {
  const fs::path live = dir_ / "web-1.log";
  RotatingFile file(live, {10, 2});
  file.write("aaaaaaaa\n");  // 9 bytes
  file.write("bbbbbbbb\n");  // would make 18 > 10: rotate first
  file.write("cccccccc\n");
  file.write("dddddddd\n");
  EXPECT_EQ(slurp(live), "dddddddd\n");
  EXPECT_EQ(slurp(rotated_name(live, 1)), "cccccccc\n");
  EXPECT_EQ(slurp(rotated_name(live, 2)), "bbbbbbbb\n");
  EXPECT_FALSE(fs::exists(rotated_name(live, 3)));  // "aaaa" dropped
}

TEST_F(LogSinkTest, KeepZeroTruncates) {
  const fs::path live = dir_ / "w.log";
  RotatingFile file(live, {4, 0});
  file.write("12345\n");
  file.write("x\n");
  EXPECT_EQ(slurp(live), "x\n");
  EXPECT_FALSE(fs::exists(rotated_name(live, 1)));
}

TEST_F(LogSinkTest, AChunkLargerThanMaxSizeStillLandsWhole) {
  const fs::path live = dir_ / "big.log";
  RotatingFile file(live, {4, 1});
  file.write("0123456789");
  EXPECT_EQ(slurp(live), "0123456789");
}

}  // namespace
}  // namespace flotilla::supervisor
