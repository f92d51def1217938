// The Date header value (RFC 9110 §5.6.7 IMF-fixdate) for responses the gateway writes itself.
// One per worker, re-formatted at most once per second; never allocates.
#pragma once

#include <ctime>

#include <array>
#include <string_view>

namespace flotilla::gateway {

inline constexpr std::size_t kHttpDateSize = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes `seconds` since the epoch as an IMF-fixdate into `out` (kHttpDateSize bytes). No
// strftime: its names depend on the locale, and HTTP's do not.
void format_http_date(std::time_t seconds, char* out) noexcept;

class HttpDate {
 public:
  // The current second's date: CLOCK_REALTIME_COARSE (a vDSO read) decides whether the cached
  // text is still right, so a request costs a clock read and a compare.
  std::string_view now() noexcept;

 private:
  std::time_t second_ = -1;
  std::array<char, kHttpDateSize> text_{};
};

}  // namespace flotilla::gateway
