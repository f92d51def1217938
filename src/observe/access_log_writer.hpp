// The access log's one writer thread: takes whole batches of lines from the workers and appends
// them to stdout or a file, rotating the file by size and keeping `keep` old ones (name.1 is the
// newest). Workers never wait for the disk: they only queue a batch, and a full queue drops the
// batch (counted) instead of blocking. One writer means lines can never interleave mid-line.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::observe {

class AccessLogWriter {
 public:
  // Opens the file (or takes stdout) and starts the thread. On failure: nullptr and `error`.
  static std::unique_ptr<AccessLogWriter> open(const config::AccessLog& settings,
                                               std::string& error);
  ~AccessLogWriter();  // writes everything queued, then stops
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Any thread. Queues `batch` (whole lines) and returns an empty buffer to fill next.
  std::string submit(std::string batch, std::size_t lines);

  // Blocks until everything queued so far is written (tests, shutdown).
  void sync();

  std::uint64_t dropped_lines() const;
  std::uint64_t written_lines() const;

  // Above this many queued bytes, new batches are dropped: the disk is not keeping up.
  static constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;
  static constexpr std::size_t kBatchCapacity = 64 * 1024;
  static constexpr std::size_t kAtomicWrite = 4096;  // PIPE_BUF on Linux

 private:
  AccessLogWriter(const config::AccessLog& settings, int fd, std::uint64_t size);
  void run();
  void write_batch(const std::string& batch);
  bool write_all(std::string_view bytes);
  void rotate();

  struct Batch {
    std::string bytes;
    std::size_t lines = 0;
  };

  std::optional<std::filesystem::path> path_;  // absent: stdout
  std::uint64_t max_size_;
  std::uint32_t keep_;
  int fd_;
  std::uint64_t size_;  // of the current file

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Batch> queue_;
  std::vector<std::string> spare_;  // written batches, kept for reuse
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool stopping_ = false;
  std::uint64_t dropped_ = 0;
  std::uint64_t written_ = 0;
  std::thread thread_;
};

}  // namespace flotilla::observe
