// The exclusive claim of one flotilla on its state_dir: flock(2) on <state_dir>/lock, held for
// the life of the object (the process, for `flotilla up`). Taken before anything reads or
// writes the directory, so a second flotilla on the same state cannot rewrite the running one's
// revision history or logs. Never touches anything else in the directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace flotilla::app {

class StateDirLock {
 public:
  // The lock on `dir` (created if missing), or nullopt with `error` set: "another flotilla is
  // running with state dir DIR" when it is held, the system's reason otherwise.
  static std::optional<StateDirLock> acquire(const std::filesystem::path& dir, std::string& error);

  StateDirLock(StateDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StateDirLock& operator=(StateDirLock&&) = delete;
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;
  ~StateDirLock();

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace flotilla::app
