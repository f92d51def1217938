#include "observe/access_log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace flotilla::observe {
namespace {

constexpr std::size_t kMaxSpare = 8;

int open_append(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

std::filesystem::path numbered(const std::filesystem::path& path, std::uint32_t n) {
  std::filesystem::path out = path;
  out += fmt::format(".{}", n);
  return out;
}

}  // namespace

std::unique_ptr<AccessLogWriter> AccessLogWriter::open(const config::AccessLog& settings,
                                                       std::string& error) {
  if (!settings.path) {
    return std::unique_ptr<AccessLogWriter>(new AccessLogWriter(settings, STDOUT_FILENO, 0));
  }
  const int fd = open_append(*settings.path);
  if (fd < 0) {
    error = fmt::format("access_log: cannot open {}: {}", settings.path->string(),
                        std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  const std::uint64_t size = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return std::unique_ptr<AccessLogWriter>(new AccessLogWriter(settings, fd, size));
}

AccessLogWriter::AccessLogWriter(const config::AccessLog& settings, int fd, std::uint64_t size)
    : path_(settings.path),
      max_size_(settings.max_size),
      keep_(settings.keep),
      fd_(fd),
      size_(size),
      thread_([this] { run(); }) {}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (path_ && fd_ >= 0) ::close(fd_);
}

std::string AccessLogWriter::submit(std::string batch, std::size_t lines) {
  std::string next;
  {
    std::lock_guard lock(mutex_);
    if (queued_bytes_ + batch.size() > kMaxQueuedBytes) {
      dropped_ += lines;
      batch.clear();
      return batch;  // reuse the dropped one
    }
    queued_bytes_ += batch.size();
    queue_.push_back(Batch{std::move(batch), lines});
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  wake_.notify_one();
  if (next.capacity() == 0) next.reserve(kBatchCapacity);
  return next;
}

void AccessLogWriter::sync() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

std::uint64_t AccessLogWriter::dropped_lines() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::uint64_t AccessLogWriter::written_lines() const {
  std::lock_guard lock(mutex_);
  return written_;
}

void AccessLogWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything is written
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    write_batch(batch.bytes);
    lock.lock();
    writing_ = false;
    queued_bytes_ -= batch.bytes.size();
    written_ += batch.lines;
    if (spare_.size() < kMaxSpare) {
      batch.bytes.clear();
      spare_.push_back(std::move(batch.bytes));
    }
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

void AccessLogWriter::write_batch(const std::string& batch) {
  if (path_ && max_size_ > 0 && size_ > 0 && size_ + batch.size() > max_size_) rotate();
  if (fd_ < 0) return;
  // stdout is shared with the process's own log lines: writes of at most PIPE_BUF bytes that
  // end on a newline are atomic on a pipe, so neither side can split the other's line. A file
  // of our own takes the whole batch at once.
  const std::size_t max_write = path_ ? batch.size() : kAtomicWrite;
  std::string_view rest(batch);
  while (!rest.empty()) {
    std::size_t size = rest.size();
    if (size > max_write) {
      const std::size_t newline = rest.rfind('\n', max_write - 1);
      size = newline == std::string_view::npos ? rest.find('\n') : newline;
      size = size == std::string_view::npos ? rest.size() : size + 1;
    }
    if (!write_all(rest.substr(0, size))) return;
    size_ += size;
    rest.remove_prefix(size);
  }
}

bool AccessLogWriter::write_all(std::string_view bytes) {
  std::size_t done = 0;
  // Bounded: a descriptor that keeps failing loses this batch rather than the thread spinning.
  for (int tries = 0; done < bytes.size() && tries < 64; ++tries) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      tries = 0;
    } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
      return false;
    }
  }
  return done == bytes.size();
}

void AccessLogWriter::rotate() {
  ::close(fd_);
  std::error_code ignored;
  if (keep_ == 0) {
    std::filesystem::remove(*path_, ignored);
  } else {
    for (std::uint32_t n = keep_; n > 1; --n) {
      std::filesystem::rename(numbered(*path_, n - 1), numbered(*path_, n), ignored);
    }
    std::filesystem::rename(*path_, numbered(*path_, 1), ignored);
  }
  fd_ = open_append(*path_);
  size_ = 0;
}

}  // namespace flotilla::observe
