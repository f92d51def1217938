// One worker's share of the access log: lines are formatted into a private batch and handed to
// the writer thread whole, when the batch is large or when the worker's flush timer fires
// (every kFlushInterval). Single-threaded, no lock per line; only the hand-over takes the
// writer's lock. The log is off by default (config `access_log.enabled: false`) for
// performance: a line costs ~270 ns of worker CPU to format (bench/observe_bench.cpp) plus the
// writer thread's share of write(2), a few percent of a proxied request's ~13 µs.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "observe/access_log_line.hpp"
#include "observe/access_log_writer.hpp"

namespace flotilla::observe {

class AccessLogBuffer {
 public:
  static constexpr std::chrono::milliseconds kFlushInterval{100};
  static constexpr std::size_t kFlushBytes = 32 * 1024;

  explicit AccessLogBuffer(AccessLogWriter& writer);

  void append(const AccessLogEntry& entry);
  void flush();
  std::size_t pending_lines() const noexcept { return lines_; }

 private:
  AccessLogWriter& writer_;
  std::string batch_;
  std::size_t lines_ = 0;
  Rfc3339Clock clock_;
};

}  // namespace flotilla::observe
