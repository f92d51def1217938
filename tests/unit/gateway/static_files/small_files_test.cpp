// Small files' bytes: read once per open file, none for large files or directories, a changed
// file (a new OpenFile after revalidation) read anew, and the store bounded by its purge.
#include "gateway/static_files/small_files.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace flotilla::gateway::files {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SmallFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("flotilla-small-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "sub");
    root_ = base_.string();
  }
  void TearDown() override { fs::remove_all(base_); }
  void write(const std::string& name, std::string_view text) {
    std::ofstream(base_ / name) << text;
  }

  fs::path base_;
  std::string root_;
};

TEST_F(SmallFilesTest, SmallFilesOnlyWhole) {
  SmallFiles store;
  const std::string small(kSmallFile, 's');
  write("small", small);
  write("large", std::string(kSmallFile + 1, 'l'));
  write("empty", "");
  const OpenResult a = open_beneath(root_, "small", false);
  ASSERT_TRUE(a.file);
  const std::string* bytes = store.bytes(a.file);
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(*bytes, small);
  EXPECT_EQ(store.bytes(a.file), bytes);  // read once: the same entry
  EXPECT_EQ(store.bytes(open_beneath(root_, "large", false).file), nullptr);
  EXPECT_EQ(store.bytes(open_beneath(root_, "sub", false).file), nullptr);
  const OpenResult e = open_beneath(root_, "empty", false);
  ASSERT_NE(store.bytes(e.file), nullptr);
  EXPECT_TRUE(store.bytes(e.file)->empty());
  EXPECT_EQ(store.bytes(nullptr), nullptr);
}

TEST_F(SmallFilesTest, AChangedFileIsReadAnew) {
  SmallFiles store;
  OpenFileCache cache(16, 1000ms);
  const auto t0 = std::chrono::steady_clock::now();
  write("a.txt", "hello");
  EXPECT_EQ(*store.bytes(cache.open(root_, "a.txt", false, t0).file), "hello");
  write("a.txt.new", "changed!");
  fs::rename(base_ / "a.txt.new", base_ / "a.txt");
  EXPECT_EQ(*store.bytes(cache.open(root_, "a.txt", false, t0 + 500ms).file), "hello");
  EXPECT_EQ(*store.bytes(cache.open(root_, "a.txt", false, t0 + 1500ms).file), "changed!");
}

TEST_F(SmallFilesTest, BoundedByPurge) {
  SmallFiles store;
  write("x", "x");
  std::vector<std::shared_ptr<const OpenFile>> alive;
  for (std::size_t i = 0; i < SmallFiles::kMaxEntries + 10; ++i) {
    const OpenResult opened = open_beneath(root_, "x", false);
    ASSERT_TRUE(opened.file);
    ASSERT_NE(store.bytes(opened.file), nullptr);
    if (i % 100 == 0) alive.push_back(opened.file);  // a few stay open, the rest are let go
    EXPECT_LE(store.size(), SmallFiles::kMaxEntries);
  }
  // A file kept alive throughout still answers (read again if a purge dropped it).
  EXPECT_EQ(*store.bytes(alive.front()), "x");
}

}  // namespace
}  // namespace flotilla::gateway::files
