// The per-second cache around http::http_date (which formats; it allocates, once a second here).
#include "gateway/http_date.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "http/simple_response_head.hpp"

namespace flotilla::gateway {

std::string_view HttpDate::now() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  if (ts.tv_sec != second_) {
    const std::string text =
        http::http_date(std::chrono::system_clock::time_point(std::chrono::seconds(ts.tv_sec)));
    if (text.size() != text_.size()) return {};  // years past 9999: no Date rather than a bad one
    std::copy(text.begin(), text.end(), text_.begin());
    second_ = ts.tv_sec;
  }
  return {text_.data(), text_.size()};
}

}  // namespace flotilla::gateway
