#include "gateway/static_files/conditional.hpp"

#include <cctype>
#include <charconv>
#include <cstring>

#include "http/ascii.hpp"

namespace flotilla::gateway::files {
namespace {

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool number(std::string_view text, int& out) noexcept {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

int month_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i);
  }
  return -1;
}

bool hms(std::string_view text, std::tm& tm) noexcept {
  return text.size() == 8 && text[2] == ':' && text[5] == ':' &&
         number(text.substr(0, 2), tm.tm_hour) && number(text.substr(3, 2), tm.tm_min) &&
         number(text.substr(6, 2), tm.tm_sec) && tm.tm_hour < 24 && tm.tm_min < 60 &&
         tm.tm_sec < 61;
}

}  // namespace

Etag make_etag(std::time_t mtime, std::uint64_t size) noexcept {
  Etag out;
  char* p = out.text.data();
  char* end = p + out.text.size();
  *p++ = '"';
  p = std::to_chars(p, end, static_cast<std::uint64_t>(mtime), 16).ptr;
  *p++ = '-';
  p = std::to_chars(p, end, size, 16).ptr;
  *p++ = '"';
  out.size = static_cast<std::size_t>(p - out.text.data());
  return out;
}

std::string_view format_http_date(std::time_t t, std::array<char, 29>& out) noexcept {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char* p = out.data();
  auto two = [&p](int v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  std::memcpy(p, kDays[static_cast<std::size_t>(tm.tm_wday)].data(), 3);
  p += 3;
  *p++ = ',';
  *p++ = ' ';
  two(tm.tm_mday);
  *p++ = ' ';
  std::memcpy(p, kMonths[static_cast<std::size_t>(tm.tm_mon)].data(), 3);
  p += 3;
  *p++ = ' ';
  const int year = tm.tm_year + 1900;
  two(year / 100 % 100);
  two(year % 100);
  *p++ = ' ';
  two(tm.tm_hour);
  *p++ = ':';
  two(tm.tm_min);
  *p++ = ':';
  two(tm.tm_sec);
  std::memcpy(p, " GMT", 4);
  return {out.data(), out.size()};
}

std::optional<std::time_t> parse_http_date(std::string_view text) noexcept {
  text = http::trim_ows(text);
  std::tm tm{};
  const std::size_t comma = text.find(',');
  if (comma == 3 && text.size() == 29) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (text[4] != ' ' || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        text.substr(25) != " GMT") {
      return std::nullopt;
    }
    int year = 0;
    tm.tm_mon = month_index(text.substr(8, 3));
    if (!number(text.substr(5, 2), tm.tm_mday) || !number(text.substr(12, 4), year) ||
        !hms(text.substr(17, 8), tm)) {
      return std::nullopt;
    }
    tm.tm_year = year - 1900;
  } else if (comma != std::string_view::npos && comma > 3) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year: RFC 9110 says the nearest
    // year whose last digits match, never more than 50 years ahead; 1970–2069 here).
    const std::string_view rest = text.substr(comma + 1);
    if (rest.size() != 23 || rest[0] != ' ' || rest[3] != '-' || rest[7] != '-' ||
        rest[10] != ' ' || rest.substr(19) != " GMT") {
      return std::nullopt;
    }
    int year = 0;
    tm.tm_mon = month_index(rest.substr(4, 3));
    if (!number(rest.substr(1, 2), tm.tm_mday) || !number(rest.substr(8, 2), year) ||
        !hms(rest.substr(11, 8), tm)) {
      return std::nullopt;
    }
    tm.tm_year = year < 70 ? year + 100 : year;
  } else if (text.size() == 24) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ') {
      return std::nullopt;
    }
    int year = 0;
    std::string_view day = text.substr(8, 2);
    if (day.front() == ' ') day.remove_prefix(1);
    tm.tm_mon = month_index(text.substr(4, 3));
    if (!number(day, tm.tm_mday) || !hms(text.substr(11, 8), tm) ||
        !number(text.substr(20, 4), year)) {
      return std::nullopt;
    }
    tm.tm_year = year - 1900;
  } else {
    return std::nullopt;
  }
  if (tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  return timegm(&tm);
}

Conditions conditions_of(const http::RequestHead& head) noexcept {
  Conditions out;
  for (const http::Header& field : head.headers) {
    switch (field.id) {
      case http::HeaderId::kIfNoneMatch:
        out.if_none_match = field.value;
        break;
      case http::HeaderId::kIfModifiedSince:
        out.if_modified_since = field.value;
        break;
      case http::HeaderId::kRange:
        out.range = field.value;
        break;
      case http::HeaderId::kOther:
        if (http::ascii_iequals(field.name, "If-Match")) {
          out.if_match = field.value;
        } else if (http::ascii_iequals(field.name, "If-Unmodified-Since")) {
          out.if_unmodified_since = field.value;
        } else if (http::ascii_iequals(field.name, "If-Range")) {
          out.if_range = field.value;
        }
        break;
      default:
        break;
    }
  }
  return out;
}

bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) noexcept {
  list = http::trim_ows(list);
  if (list == "*") return true;
  const bool ours_weak = etag.starts_with("W/");
  if (ours_weak) etag.remove_prefix(2);
  while (!list.empty()) {
    list = http::trim_ows(list);
    while (!list.empty() && list.front() == ',') list = http::trim_ows(list.substr(1));
    if (list.empty()) break;
    bool theirs_weak = false;
    if (list.starts_with("W/")) {
      theirs_weak = true;
      list.remove_prefix(2);
    }
    if (list.empty() || list.front() != '"') return false;  // malformed: no match
    const std::size_t close = list.find('"', 1);
    if (close == std::string_view::npos) return false;
    const std::string_view tag = list.substr(0, close + 1);
    list.remove_prefix(close + 1);
    if (tag == etag && (weak || (!theirs_weak && !ours_weak))) return true;
  }
  return false;
}

Precondition evaluate(const Conditions& c, std::string_view etag, std::time_t mtime,
                      bool get_or_head) noexcept {
  // 1. If-Match (strong), else 2. If-Unmodified-Since.
  if (!c.if_match.empty()) {
    if (!etag_list_matches(c.if_match, etag, false)) return Precondition::kFailed;
  } else if (!c.if_unmodified_since.empty()) {
    const auto since = parse_http_date(c.if_unmodified_since);
    if (since && mtime > *since) return Precondition::kFailed;
  }
  // 3. If-None-Match (weak), else 4. If-Modified-Since (GET/HEAD only).
  if (!c.if_none_match.empty()) {
    if (etag_list_matches(c.if_none_match, etag, true)) {
      return get_or_head ? Precondition::kNotModified : Precondition::kFailed;
    }
  } else if (get_or_head && !c.if_modified_since.empty()) {
    const auto since = parse_http_date(c.if_modified_since);
    if (since && mtime <= *since) return Precondition::kNotModified;
  }
  return Precondition::kProceed;
}

bool if_range_holds(std::string_view if_range, std::string_view etag, std::time_t mtime) noexcept {
  if_range = http::trim_ows(if_range);
  if (if_range.empty()) return true;
  if (if_range.starts_with("W/")) return false;  // a weak tag never validates a range
  if (if_range.front() == '"') return if_range == etag && !etag.starts_with("W/");
  const auto date = parse_http_date(if_range);
  return date && *date == mtime;
}

}  // namespace flotilla::gateway::files
