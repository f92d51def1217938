// Opening under a root with real files and symlinks in a temporary directory: escapes refused
// unless follow_symlinks, special files refused, and the cache's hits, revalidation and bound.
#include "gateway/static_files/open_file_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace flotilla::gateway::files {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class OpenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("flotilla-open-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "sub");
    write(base_ / "root" / "a.txt", "hello");
    write(base_ / "root" / "sub" / "b.txt", "inner");
    write(base_ / "secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", base_ / "root" / "escape");
    fs::create_symlink("../secret.txt", base_ / "root" / "escape_relative");
    fs::create_symlink("sub/b.txt", base_ / "root" / "inside");
    fs::create_directory_symlink(base_, base_ / "root" / "up");
    ::mkfifo((base_ / "root" / "fifo").c_str(), 0600);
    root_ = (base_ / "root").string();
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& path, std::string_view text) { std::ofstream(path) << text; }

  fs::path base_;
  std::string root_;
};

TEST_F(OpenFileTest, OpensFilesAndDirectoriesUnderRoot) {
  const OpenResult a = open_beneath(root_, "a.txt", false);
  ASSERT_TRUE(a.file);
  EXPECT_TRUE(a.file->regular);
  EXPECT_EQ(a.file->size, 5u);
  const OpenResult dir = open_beneath(root_, "", false);
  ASSERT_TRUE(dir.file);
  EXPECT_TRUE(dir.file->directory);
  EXPECT_EQ(open_beneath(root_, "missing", false).error, OpenError::kNotFound);
  EXPECT_EQ(open_beneath(root_, "a.txt/x", false).error, OpenError::kNotFound);
  EXPECT_EQ(open_beneath(root_ + "/nope", "a.txt", false).error, OpenError::kNotFound);
}

TEST_F(OpenFileTest, SymlinksInsideRootAreFollowedEscapesAreNot) {
  const OpenResult inside = open_beneath(root_, "inside", false);
  ASSERT_TRUE(inside.file);
  EXPECT_EQ(inside.file->size, 5u);
  EXPECT_EQ(open_beneath(root_, "escape", false).error, OpenError::kForbidden);
  EXPECT_EQ(open_beneath(root_, "escape_relative", false).error, OpenError::kForbidden);
  EXPECT_EQ(open_beneath(root_, "up/secret.txt", false).error, OpenError::kForbidden);
  EXPECT_TRUE(open_beneath(root_, "escape", true).file);
  EXPECT_TRUE(open_beneath(root_, "up/secret.txt", true).file);
}

TEST_F(OpenFileTest, SpecialFilesAreRefused) {
  EXPECT_EQ(open_beneath(root_, "fifo", false).error, OpenError::kForbidden);
}

TEST_F(OpenFileTest, CacheHitsWhileValidThenRevalidates) {
  OpenFileCache cache(16, 1000ms);
  const auto t0 = std::chrono::steady_clock::now();
  const OpenResult first = cache.open(root_, "a.txt", false, t0);
  const OpenResult again = cache.open(root_, "a.txt", false, t0 + 10ms);
  ASSERT_TRUE(first.file);
  EXPECT_EQ(first.file, again.file);
  EXPECT_EQ(cache.hits(), 1u);
  // Replaced on disk: still the old one within the validity period, the new one after it.
  write(base_ / "root" / "a.txt.new", "changed!");
  fs::rename(base_ / "root" / "a.txt.new", base_ / "root" / "a.txt");
  EXPECT_EQ(cache.open(root_, "a.txt", false, t0 + 500ms).file->size, 5u);
  const OpenResult later = cache.open(root_, "a.txt", false, t0 + 1500ms);
  ASSERT_TRUE(later.file);
  EXPECT_EQ(later.file->size, 8u);
  EXPECT_EQ(first.file->size, 5u);  // a response still sending the old file keeps it
  // Unchanged on revalidation: the same entry.
  EXPECT_EQ(cache.open(root_, "a.txt", false, t0 + 3000ms).file, later.file);
  // Deleted: gone after revalidation.
  fs::remove(base_ / "root" / "a.txt");
  EXPECT_EQ(cache.open(root_, "a.txt", false, t0 + 5000ms).error, OpenError::kNotFound);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(OpenFileTest, CacheIsBounded) {
  OpenFileCache cache(8, 1000ms);
  const auto now = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    write(base_ / "root" / ("f" + std::to_string(i)), "x");
    ASSERT_TRUE(cache.open(root_, "f" + std::to_string(i), false, now).file);
    EXPECT_LE(cache.size(), 8u);
  }
  EXPECT_EQ(cache.misses(), 40u);
}

}  // namespace
}  // namespace flotilla::gateway::files
