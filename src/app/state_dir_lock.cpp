// flock(2) rather than a pid file: the kernel drops the lock when the holder dies, however it
// dies, so a crash never leaves a stale claim to clean up by hand.
#include "app/state_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace flotilla::app {

std::optional<StateDirLock> StateDirLock::acquire(const std::filesystem::path& dir,
                                                  std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = fmt::format("state dir {}: {}", dir.string(), ec.message());
    return std::nullopt;
  }
  const std::filesystem::path path = dir / "lock";
  // O_CLOEXEC: instances must not inherit the lock and keep it after flotilla is gone.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = fmt::format("{}: {}", path.string(), std::strerror(errno));
    return std::nullopt;
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int saved = errno;
    ::close(fd);
    error = saved == EWOULDBLOCK
                ? fmt::format("another flotilla is running with state dir {}", dir.string())
                : fmt::format("{}: {}", path.string(), std::strerror(saved));
    return std::nullopt;
  }
  // The holder's pid, for whoever wonders which flotilla that is (the lock is what counts).
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) == 0 && ::write(fd, pid.data(), pid.size()) < 0) {
    // Informational only: the lock is held either way.
  }
  return StateDirLock(fd);
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace flotilla::app
