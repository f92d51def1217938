// The Date header value (RFC 9110 §5.6.7 IMF-fixdate) for responses the gateway writes itself.
// One per worker, re-formatted at most once per second; a request never allocates for it.
#pragma once

#include <ctime>

#include <array>
#include <string_view>

namespace flotilla::gateway {

class HttpDate {
 public:
  // The current second's date: CLOCK_REALTIME_COARSE (a vDSO read) decides whether the cached
  // text is still right, so a request costs a clock read and a compare. Valid until the next call.
  std::string_view now();

 private:
  std::time_t second_ = -1;
  std::array<char, 29> text_{};  // "Sun, 06 Nov 1994 08:49:37 GMT"
};

}  // namespace flotilla::gateway
