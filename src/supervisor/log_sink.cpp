// Instance log capture and size-based rotation (see log_sink.hpp).
#include "supervisor/log_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>
#include <asio/posix/stream_descriptor.hpp>

#include "net/async.hpp"
#include "supervisor/line_stamper.hpp"

namespace flotilla::supervisor {

std::filesystem::path rotated_name(const std::filesystem::path& live, std::uint32_t index) {
  if (index == 0) return live;
  std::filesystem::path rotated = live;
  rotated += "." + std::to_string(index);
  return rotated;
}

RotatingFile::RotatingFile(std::filesystem::path path, config::LogRotation rotation)
    : path_(std::move(path)), rotation_(rotation) {
  std::error_code ignored;
  std::filesystem::create_directories(path_.parent_path(), ignored);
  open();
}

RotatingFile::~RotatingFile() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingFile::open() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    spdlog::warn("supervisor: cannot open log file {}: {}", path_.string(), std::strerror(errno));
    return;
  }
  const off_t end = ::lseek(fd_, 0, SEEK_END);
  size_ = end > 0 ? static_cast<std::uint64_t>(end) : 0;
}

void RotatingFile::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ignored;
  if (rotation_.keep == 0) {
    std::filesystem::remove(path_, ignored);
  } else {
    std::filesystem::remove(rotated_name(path_, rotation_.keep), ignored);
    for (std::uint32_t i = rotation_.keep; i > 0; --i) {
      std::filesystem::rename(rotated_name(path_, i - 1), rotated_name(path_, i), ignored);
    }
  }
  open();
}

void RotatingFile::write(std::string_view data) {
  if (rotation_.max_size > 0 && size_ > 0 && size_ + data.size() > rotation_.max_size) rotate();
  if (fd_ < 0) return;
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // disk full or similar: drop rather than stall the control thread
    size_ += static_cast<std::uint64_t>(n);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

LogPipe::LogPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) == 0) {
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
}

LogPipe::~LogPipe() {
  if (read_fd_ >= 0) ::close(read_fd_);
  close_write_end();
}

void LogPipe::close_write_end() {
  if (write_fd_ >= 0) ::close(write_fd_);
  write_fd_ = -1;
}

int LogPipe::release_read_end() {
  const int fd = read_fd_;
  read_fd_ = -1;
  return fd;
}

asio::awaitable<void> pump_log(asio::any_io_executor executor, int read_fd,
                               std::shared_ptr<RotatingFile> file) {
  asio::posix::stream_descriptor pipe(executor, read_fd);
  std::array<char, 16384> buffer;
  LineStamper stamper;
  for (;;) {
    auto [error, n] = co_await pipe.async_read_some(asio::buffer(buffer), net::use_nothrow);
    if (n > 0) file->write(stamper.stamp({buffer.data(), n}, std::chrono::system_clock::now()));
    if (error) co_return;  // EOF: every writer (the app and its children) has gone
  }
}

}  // namespace flotilla::supervisor
