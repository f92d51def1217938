#include "gateway/static_files/open_file_cache.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace flotilla::gateway::files {
namespace {

OpenError error_of(int error) noexcept {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return OpenError::kNotFound;
    default:  // EXDEV (would leave root), ELOOP, EACCES, EPERM...
      return OpenError::kForbidden;
  }
}

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Kernels before 5.6 have no openat2: the opened file's real path must start with root's.
int open_checked_by_path(int root_fd, const char* path, const std::string& root) {
  const int fd = ::openat(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return -1;
  char link[64];
  char real[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, real, sizeof real - 1);
  char* root_real = ::realpath(root.c_str(), nullptr);
  bool inside = false;
  if (n > 0 && root_real) {
    const std::string_view file(real, static_cast<std::size_t>(n));
    const std::string_view base(root_real);
    inside = file.starts_with(base) &&
             (file.size() == base.size() || file[base.size()] == '/' || base == "/");
  }
  std::free(root_real);
  if (!inside) {
    ::close(fd);
    errno = EXDEV;
    return -1;
  }
  return fd;
}

}  // namespace

OpenFile::~OpenFile() {
  if (fd >= 0) ::close(fd);
}

OpenResult open_beneath(const std::string& root, std::string_view relative, bool follow_symlinks) {
  OpenResult out;
  const Fd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) {
    out.error = error_of(errno);
    return out;
  }
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  open_how how{};
  // O_NONBLOCK: opening a FIFO someone left under root must not wait for a writer (the worker
  // would hang); regular files and directories ignore it.
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  // No `..` reaches here (static_path refuses it); symlinks are the only way out of root, and
  // RESOLVE_BENEATH refuses every resolution that would leave it, at any depth.
  how.resolve = RESOLVE_NO_MAGICLINKS | (follow_symlinks ? 0 : RESOLVE_BENEATH);
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), path.c_str(), &how, sizeof how));
  if (fd < 0 && errno == ENOSYS) {
    fd = follow_symlinks
             ? ::openat(root_fd.get(), path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
             : open_checked_by_path(root_fd.get(), path.c_str(), root);
  }
  if (fd < 0) {
    out.error = error_of(errno);
    return out;
  }
  Fd file_fd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    out.error = error_of(errno);
    return out;
  }
  auto file = std::make_shared<OpenFile>();
  file->fd = file_fd.release();
  file->size = static_cast<std::uint64_t>(st.st_size);
  file->mtime = st.st_mtim.tv_sec;
  file->mtime_ns =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  file->device = st.st_dev;
  file->inode = st.st_ino;
  file->directory = S_ISDIR(st.st_mode);
  file->regular = S_ISREG(st.st_mode);
  if (!file->directory && !file->regular) {  // a FIFO, socket or device is never served
    out.error = OpenError::kForbidden;
    return out;
  }
  out.file = std::move(file);
  return out;
}

OpenResult OpenFileCache::open(const std::string& root, std::string_view relative,
                               bool follow_symlinks, std::chrono::steady_clock::time_point now) {
  key_.clear();
  key_ += root;
  key_ += '\0';
  key_ += relative;
  key_ += follow_symlinks ? '1' : '0';
  const auto found = entries_.find(key_);
  if (found != entries_.end()) {
    Entry& entry = found->second;
    if (now - entry.checked < validity_) {
      ++hits_;
      entry.used = ++tick_;
      return {entry.file, OpenError::kNone};
    }
    // Stale: open again; the same file (same inode, size and mtime) keeps the entry.
    OpenResult fresh = open_beneath(root, relative, follow_symlinks);
    ++misses_;
    if (!fresh.file) {
      entries_.erase(found);
      return fresh;
    }
    const OpenFile& a = *entry.file;
    const OpenFile& b = *fresh.file;
    if (a.device != b.device || a.inode != b.inode || a.size != b.size ||
        a.mtime_ns != b.mtime_ns) {
      entry.file = fresh.file;
    }
    entry.checked = now;
    entry.used = ++tick_;
    return {entry.file, OpenError::kNone};
  }
  ++misses_;
  OpenResult fresh = open_beneath(root, relative, follow_symlinks);
  if (!fresh.file || max_entries_ == 0) return fresh;
  if (entries_.size() >= max_entries_) evict_oldest();
  entries_.emplace(key_, Entry{fresh.file, now, ++tick_});
  return fresh;
}

// The least recently used eighth goes at once: the scan is O(n), once per n/8 misses.
void OpenFileCache::evict_oldest() {
  std::vector<std::uint64_t> used;
  used.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) used.push_back(entry.used);
  const std::size_t drop = std::max<std::size_t>(1, entries_.size() / 8);
  std::nth_element(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(drop - 1), used.end());
  const std::uint64_t cut = used[drop - 1];
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.used <= cut ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace flotilla::gateway::files
