// Prefixes every line an instance writes with the time flotilla read it ("2026-11-22T02:50:00.123Z
// "), like `docker logs -t`, so `flotilla logs --since` can filter without trusting the app's own
// format. Works on arbitrary chunks: a line split across reads is stamped once, at its start.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace flotilla::supervisor {

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, 24 characters): sorts lexicographically in time order.
std::string format_log_time(std::chrono::system_clock::time_point time);
inline constexpr std::size_t kLogTimeLength = 24;

class LineStamper {
 public:
  // `chunk` with a stamp and a space inserted at the start of every line that begins in it.
  std::string stamp(std::string_view chunk, std::chrono::system_clock::time_point now);

 private:
  bool at_line_start_ = true;
};

}  // namespace flotilla::supervisor
