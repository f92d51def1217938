// An instance's stdout+stderr: a pipe whose read end flotilla drains on the control thread into
// <state_dir>/logs/<service>-<i>.log, rotated by size (`.log.1` … `.log.<keep>`, oldest dropped).
// Never blocks on the app (the pipe is read asynchronously); each line gets a time stamp
// (line_stamper.hpp), nothing else is parsed or changed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "config/spec.hpp"

namespace flotilla::supervisor {

// The rotated file's name: index 0 is the live file, 1..keep the older ones.
std::filesystem::path rotated_name(const std::filesystem::path& live, std::uint32_t index);

class RotatingFile {
 public:
  RotatingFile(std::filesystem::path path, config::LogRotation rotation);
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;
  ~RotatingFile();

  // Appends; rotates first when this write would take the file past max_size (a single chunk
  // larger than max_size still goes whole into a fresh file).
  void write(std::string_view data);
  const std::filesystem::path& path() const { return path_; }
  bool ok() const { return fd_ >= 0; }

 private:
  void open();
  void rotate();

  std::filesystem::path path_;
  config::LogRotation rotation_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Owns the pipe of one instance run: `write_end()` goes to the child (then close_write_end());
// release_read_end() hands the read end to pump_log.
class LogPipe {
 public:
  LogPipe();
  LogPipe(const LogPipe&) = delete;
  LogPipe& operator=(const LogPipe&) = delete;
  ~LogPipe();

  bool ok() const { return read_fd_ >= 0; }
  int write_end() const { return write_fd_; }
  void close_write_end();
  int release_read_end();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Copies `read_fd` (taken over) into `file` until EOF: every process holding the pipe is gone.
asio::awaitable<void> pump_log(asio::any_io_executor executor, int read_fd,
                               std::shared_ptr<RotatingFile> file);

}  // namespace flotilla::supervisor
