#include "supervisor/line_stamper.hpp"

#include <ctime>

#include <fmt/format.h>

namespace flotilla::supervisor {

std::string format_log_time(std::chrono::system_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

std::string LineStamper::stamp(std::string_view chunk, std::chrono::system_clock::time_point now) {
  const std::string time = format_log_time(now);
  std::string out;
  out.reserve(chunk.size() + 2 * (time.size() + 1));
  while (!chunk.empty()) {
    if (at_line_start_) {
      out += time;
      out += ' ';
      at_line_start_ = false;
    }
    const std::size_t newline = chunk.find('\n');
    const std::size_t take = newline == std::string_view::npos ? chunk.size() : newline + 1;
    out.append(chunk.substr(0, take));
    if (newline != std::string_view::npos) at_line_start_ = true;
    chunk.remove_prefix(take);
  }
  return out;
}

}  // namespace flotilla::supervisor
