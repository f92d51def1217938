// Every example under examples/ must load; every broken fixture under
// tests/fixtures/config/broken/ must fail with exactly the diagnostics of its "# expect:" lines.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = FLOTILLA_SOURCE_DIR;

std::vector<fs::path> yaml_files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The "# expect: LINE:COL: message" lines at the top of a fixture.
std::vector<std::string> expected_diagnostics(const fs::path& file) {
  constexpr std::string_view kPrefix = "# expect: ";
  std::ifstream in(file);
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(kPrefix)) expected.push_back(line.substr(kPrefix.size()));
  }
  return expected;
}

TEST(ConfigExamples, EveryExampleLoads) {
  const auto files = yaml_files_under(kSourceDir / "examples");
  ASSERT_GE(files.size(), 3u);
  for (const fs::path& file : files) {
    // A fixed environment: the examples must not depend on the machine's.
    const LoadResult result = load_file(file, testing::fake_env());
    EXPECT_TRUE(result.ok()) << file << ":\n"
                             << fmt::format("{}", fmt::join(testing::error_lines(result), "\n"));
  }
}

TEST(ConfigFixtures, EveryBrokenFixtureReportsExactlyItsExpectations) {
  const auto files = yaml_files_under(kSourceDir / "tests/fixtures/config/broken");
  ASSERT_GE(files.size(), 14u);
  for (const fs::path& file : files) {
    const std::vector<std::string> expected = expected_diagnostics(file);
    ASSERT_FALSE(expected.empty()) << file << " has no '# expect:' line";
    const LoadResult result = load_file(file, testing::fake_env({{"HOME", "/home/test"}}));
    EXPECT_FALSE(result.ok()) << file;
    for (const Diagnostic& d : result.errors) EXPECT_EQ(d.file, file.string());
    EXPECT_EQ(testing::error_lines(result), expected) << file;
  }
}

}  // namespace
}  // namespace flotilla::config
