// Small files read into memory once per open file: keyed by the OpenFile's address and checked
// by a weak_ptr (a dead entry's address may be reused by a new file, which is then read anew).
// Never reads a file larger than kSmallFile and never blocks on anything but pread.
#include "gateway/static_files/small_files.hpp"

#include <unistd.h>

#include <cerrno>

namespace flotilla::gateway::files {

const std::string* SmallFiles::bytes(const std::shared_ptr<const OpenFile>& file) {
  if (!file || !file->regular || file->size > kSmallFile) return nullptr;
  auto found = entries_.find(file.get());
  if (found != entries_.end() && !found->second.file.expired()) {
    return found->second.whole ? &found->second.bytes : nullptr;
  }
  if (found == entries_.end()) {
    if (entries_.size() >= kMaxEntries) purge();
    found = entries_.try_emplace(file.get()).first;
  }
  Entry& entry = found->second;
  entry.file = file;
  entry.bytes.resize(file->size);
  std::size_t done = 0;
  while (done < file->size) {
    const ssize_t n =
        ::pread(file->fd, entry.bytes.data() + done, file->size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // an error, or the file shrank: sent from the fd instead
    done += static_cast<std::size_t>(n);
  }
  entry.whole = done == file->size;
  if (!entry.whole) entry.bytes = std::string();
  return entry.whole ? &entry.bytes : nullptr;
}

// Entries whose file is gone go; if the live ones alone fill the store, all go (they are read
// again on their next use).
void SmallFiles::purge() {
  std::erase_if(entries_, [](const auto& item) { return item.second.file.expired(); });
  if (entries_.size() >= kMaxEntries) entries_.clear();
}

SmallFiles& thread_small_files() {
  thread_local SmallFiles store;
  return store;
}

}  // namespace flotilla::gateway::files
