#include "observe/access_log_writer.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "observe/access_log_buffer.hpp"

namespace flotilla::observe {
namespace {

namespace fs = std::filesystem;

class AccessLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flotilla-access-log-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> lines_of(const fs::path& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::unique_ptr<AccessLogWriter> open(std::uint64_t max_size, std::uint32_t keep) {
    config::AccessLog settings;
    settings.enabled = true;
    settings.path = dir_ / "access.log";
    settings.max_size = max_size;
    settings.keep = keep;
    std::string error;
    auto writer = AccessLogWriter::open(settings, error);
    EXPECT_TRUE(writer) << error;
    return writer;
  }

  fs::path dir_;
};

std::string line(int n) {
  return "{\"n\":" + std::to_string(n) + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n";
}

TEST_F(AccessLogWriterTest, RotatesBySizeKeepingNewestFiles) {
  auto writer = open(100, 2);
  const fs::path log = dir_ / "access.log";
  for (int n = 0; n < 7; ++n) {  // ~45 bytes each: two per file
    writer->submit(line(n), 1);
    writer->sync();
  }
  EXPECT_EQ(writer->written_lines(), 7u);
  writer.reset();
  EXPECT_EQ(lines_of(log).size(), 1u);                    // line 6
  EXPECT_EQ(lines_of(dir_ / "access.log.1").size(), 2u);  // lines 4, 5
  EXPECT_EQ(lines_of(dir_ / "access.log.2").size(), 2u);  // lines 2, 3
  EXPECT_FALSE(fs::exists(dir_ / "access.log.3"));
  EXPECT_NE(lines_of(log)[0].find("\"n\":6"), std::string::npos);
  EXPECT_NE(lines_of(dir_ / "access.log.1")[0].find("\"n\":4"), std::string::npos);
  EXPECT_NE(lines_of(dir_ / "access.log.2")[1].find("\"n\":3"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir_)) EXPECT_LE(entry.file_size(), 100u);
}

TEST_F(AccessLogWriterTest, KeepZeroStartsOverWithoutOldFiles) {
  auto writer = open(100, 0);
  for (int n = 0; n < 5; ++n) {
    writer->submit(line(n), 1);
    writer->sync();
  }
  writer.reset();
  EXPECT_EQ(lines_of(dir_ / "access.log").size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "access.log.1"));
}

TEST_F(AccessLogWriterTest, AppendsToAnExistingFileAndCountsItsSize) {
  std::ofstream(dir_ / "access.log") << std::string(90, 'x') << "\n";
  auto writer = open(100, 1);
  writer->submit(line(0), 1);
  writer.reset();
  EXPECT_EQ(lines_of(dir_ / "access.log").size(), 1u);
  EXPECT_EQ(lines_of(dir_ / "access.log.1").size(), 1u);  // the old content, rotated away
}

TEST_F(AccessLogWriterTest, UnwritablePathIsAnError) {
  config::AccessLog settings;
  settings.path = dir_ / "missing-dir" / "access.log";
  std::string error;
  EXPECT_FALSE(AccessLogWriter::open(settings, error));
  EXPECT_NE(error.find("missing-dir"), std::string::npos) << error;
}

TEST_F(AccessLogWriterTest, WorkersBuffersNeverInterleaveLines) {
  auto writer = open(0, 0);  // no rotation
  constexpr int kThreads = 4;
  constexpr int kLines = 3000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      AccessLogBuffer buffer(*writer);
      const std::string client = "thread-" + std::to_string(t);
      for (int n = 0; n < kLines; ++n) {
        AccessLogEntry entry;
        entry.client = client;
        entry.method = "GET";
        entry.path = "/x";
        entry.status = 200;
        entry.attempts = static_cast<std::uint32_t>(n);  // the per-thread sequence number
        buffer.append(entry);
      }
      buffer.flush();
    });
  }
  for (std::thread& thread : threads) thread.join();
  writer.reset();  // writes everything queued
  const std::vector<std::string> lines = lines_of(dir_ / "access.log");
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const std::string& text : lines) {
    const nlohmann::json json = nlohmann::json::parse(text);  // throws on a torn line
    const int t = std::stoi(json["client"].get<std::string>().substr(7));
    EXPECT_EQ(json["attempts"].get<int>(), next[t]) << "thread " << t;
    next[t] = json["attempts"].get<int>() + 1;
  }
}

}  // namespace
}  // namespace flotilla::observe
