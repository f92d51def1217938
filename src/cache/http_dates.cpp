// HTTP-date parsing and formatting (http_dates.hpp). The three forms RFC 9110 obliges a recipient
// to accept; a two-digit RFC 850 year is 1970–2069. Never uses the locale or the local time zone.
#include "cache/http_dates.hpp"

#include <ctime>

#include <array>

#include "http/ascii.hpp"

namespace flotilla::cache {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int month_index(std::string_view name) {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i);
  }
  return -1;
}

bool digits(std::string_view text, int& out) {
  if (text.empty()) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

bool clock_time(std::string_view text, std::tm& tm) {  // "08:49:37"
  return text.size() == 8 && text[2] == ':' && text[5] == ':' &&
         digits(text.substr(0, 2), tm.tm_hour) && digits(text.substr(3, 2), tm.tm_min) &&
         digits(text.substr(6, 2), tm.tm_sec) && tm.tm_hour < 24 && tm.tm_min < 60 &&
         tm.tm_sec < 61;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept {
  text = http::trim_ows(text);
  std::tm tm{};
  int year = 0;
  const std::size_t comma = text.find(',');
  if (comma == 3 && text.size() == 29) {  // IMF-fixdate
    if (text[4] != ' ' || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        text.substr(25) != " GMT" || !digits(text.substr(5, 2), tm.tm_mday) ||
        !digits(text.substr(12, 4), year) || !clock_time(text.substr(17, 8), tm)) {
      return std::nullopt;
    }
    tm.tm_mon = month_index(text.substr(8, 3));
    tm.tm_year = year - 1900;
  } else if (comma != std::string_view::npos && comma > 3) {  // RFC 850
    const std::string_view rest = text.substr(comma + 1);
    if (rest.size() != 23 || rest[0] != ' ' || rest[3] != '-' || rest[7] != '-' ||
        rest[10] != ' ' || rest.substr(19) != " GMT" || !digits(rest.substr(1, 2), tm.tm_mday) ||
        !digits(rest.substr(8, 2), year) || !clock_time(rest.substr(11, 8), tm)) {
      return std::nullopt;
    }
    tm.tm_mon = month_index(rest.substr(4, 3));
    tm.tm_year = year < 70 ? year + 100 : year;
  } else if (text.size() == 24) {  // asctime
    std::string_view day = text.substr(8, 2);
    if (day.front() == ' ') day.remove_prefix(1);
    if (text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ' ||
        !digits(day, tm.tm_mday) || !clock_time(text.substr(11, 8), tm) ||
        !digits(text.substr(20, 4), year)) {
      return std::nullopt;
    }
    tm.tm_mon = month_index(text.substr(4, 3));
    tm.tm_year = year - 1900;
  } else {
    return std::nullopt;
  }
  if (tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string format_http_date(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> text{};
  const int n = std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              kDays[static_cast<std::size_t>(tm.tm_wday)].data(), tm.tm_mday,
                              kMonths[static_cast<std::size_t>(tm.tm_mon)].data(),
                              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

}  // namespace flotilla::cache
