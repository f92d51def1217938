// Opening a static file under its root without ever leaving it (openat2 RESOLVE_BENEATH: `..`
// and symlinks that climb out fail in the kernel), and the worker's open-file cache (nginx's
// open_file_cache): bounded, each entry re-checked by a fresh open + fstat once it is older than
// the validity period. One per worker, never shared; entries outlive eviction while a response
// still sends from them (shared_ptr).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace flotilla::gateway::files {

struct OpenFile {
  OpenFile() = default;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile();

  int fd = -1;
  std::uint64_t size = 0;
  std::time_t mtime = 0;
  std::int64_t mtime_ns = 0;
  dev_t device = 0;
  ino_t inode = 0;
  bool directory = false;
  bool regular = false;
};

enum class OpenError : std::uint8_t { kNone, kNotFound, kForbidden };

struct OpenResult {
  std::shared_ptr<const OpenFile> file;
  OpenError error = OpenError::kNone;
};

// Opens `relative` (no `..`, no leading '/'; "" = root) under `root`. Symlinks inside root are
// followed; one that leads out is refused (kForbidden) unless `follow_symlinks`.
OpenResult open_beneath(const std::string& root, std::string_view relative, bool follow_symlinks);

class OpenFileCache {
 public:
  static constexpr std::size_t kDefaultEntries = 1024;
  static constexpr std::chrono::milliseconds kDefaultValidity{1000};

  explicit OpenFileCache(std::size_t max_entries = kDefaultEntries,
                         std::chrono::milliseconds validity = kDefaultValidity)
      : max_entries_(max_entries), validity_(validity) {}

  OpenResult open(const std::string& root, std::string_view relative, bool follow_symlinks,
                  std::chrono::steady_clock::time_point now);

  std::size_t size() const noexcept { return entries_.size(); }
  std::uint64_t hits() const noexcept { return hits_; }
  std::uint64_t misses() const noexcept { return misses_; }

 private:
  struct Entry {
    std::shared_ptr<const OpenFile> file;
    std::chrono::steady_clock::time_point checked;
    std::uint64_t used = 0;
  };
  void evict_oldest();

  std::size_t max_entries_;
  std::chrono::milliseconds validity_;
  std::unordered_map<std::string, Entry> entries_;
  std::string key_;  // reused for lookups
  std::uint64_t tick_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace flotilla::gateway::files
