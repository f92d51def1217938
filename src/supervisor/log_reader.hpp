// Reads instances' log files back for `flotilla logs`: the last lines of each instance merged in
// time order, or — given the cursor of an earlier page — only what was appended since (`-f`).
// Read-only: never writes, rotates or locks the files the log pump is appending to.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::supervisor {

struct LogLine {
  std::uint32_t instance = 0;
  std::string time;  // as stamped ("2026-11-22T02:50:00.123Z"), "" for an unstamped line
  std::string line;  // without the stamp and the newline
};

struct LogQuery {
  std::optional<std::uint32_t> instance;      // absent: every instance of the service
  std::optional<std::chrono::seconds> since;  // only lines stamped after now - since
  std::optional<std::string> cursor;          // from an earlier LogPage: only newer lines
  std::uint32_t limit = 200;                  // without a cursor: the last `limit` lines
};

struct LogPage {
  std::vector<LogLine> lines;  // oldest first
  std::string cursor;          // pass back to get what comes next
};

// The files are `<log_dir>/<service>-<index>.log` (see log_sink.hpp). A malformed cursor is
// treated as none.
LogPage read_logs(const std::filesystem::path& log_dir, const std::string& service,
                  const LogQuery& query,
                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace flotilla::supervisor
