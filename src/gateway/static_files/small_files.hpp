// The bytes of small static files, kept per worker beside the open-file cache: a file of at most
// kSmallFile bytes is read once per open file (a new one when revalidation finds the file
// changed), so its answer is one write from memory. Never shared between workers; never holds a
// file the open-file cache has let go of for longer than the next purge.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "gateway/static_files/open_file_cache.hpp"

namespace flotilla::gateway::files {

// The largest file kept in memory (1024 entries: at most 8 MiB per worker; purges bound it).
inline constexpr std::uint64_t kSmallFile = 8 * 1024;

class SmallFiles {
 public:
  static constexpr std::size_t kMaxEntries = 2 * OpenFileCache::kDefaultEntries;

  // The bytes of `file` when it is a regular file of at most kSmallFile bytes and they could be
  // read whole; null otherwise. Valid until the next call.
  const std::string* bytes(const std::shared_ptr<const OpenFile>& file);

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::weak_ptr<const OpenFile> file;  // expired: the address may be another file's now
    std::string bytes;
    bool whole = false;
  };
  void purge();

  std::unordered_map<const OpenFile*, Entry> entries_;
};

// This thread's (worker's) store.
SmallFiles& thread_small_files();

}  // namespace flotilla::gateway::files
