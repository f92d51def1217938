// IMF-fixdate formatting by hand (fixed English names, fixed width) and its per-second cache.
#include "gateway/http_date.hpp"

#include <time.h>

namespace flotilla::gateway {
namespace {

constexpr char kDays[] = "SunMonTueWedThuFriSat";
constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

char* two_digits(char* out, int value) noexcept {
  *out++ = static_cast<char>('0' + value / 10);
  *out++ = static_cast<char>('0' + value % 10);
  return out;
}

char* copy(char* out, const char* text, int size) noexcept {
  for (int i = 0; i < size; ++i) *out++ = text[i];
  return out;
}

}  // namespace

void format_http_date(std::time_t seconds, char* out) noexcept {
  std::tm t{};
  ::gmtime_r(&seconds, &t);
  out = copy(out, kDays + 3 * t.tm_wday, 3);
  out = copy(out, ", ", 2);
  out = two_digits(out, t.tm_mday);
  *out++ = ' ';
  out = copy(out, kMonths + 3 * t.tm_mon, 3);
  *out++ = ' ';
  const int year = t.tm_year + 1900;  // four digits until 9999
  out = two_digits(out, year / 100);
  out = two_digits(out, year % 100);
  *out++ = ' ';
  out = two_digits(out, t.tm_hour);
  *out++ = ':';
  out = two_digits(out, t.tm_min);
  *out++ = ':';
  out = two_digits(out, t.tm_sec);
  copy(out, " GMT", 4);
}

std::string_view HttpDate::now() noexcept {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  if (ts.tv_sec != second_) {
    second_ = ts.tv_sec;
    format_http_date(second_, text_.data());
  }
  return {text_.data(), text_.size()};
}

}  // namespace flotilla::gateway
