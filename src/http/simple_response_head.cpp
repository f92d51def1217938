// Formatting a small server's answer head; plain appends, since the codec is std-only.
#include "http/simple_response_head.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace flotilla::http {

std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 40> text{};
  const int n = std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string format_response_head(const ResponseHeadSpec& spec) {
  std::string head;
  head.reserve(256);
  const auto field = [&head](std::string_view name, std::string_view value) {
    head.append(name).append(": ").append(value).append("\r\n");
  };
  head.append("HTTP/1.1 ").append(std::to_string(spec.status)).append(" ");
  head.append(reason_phrase(spec.status)).append("\r\n");
  if (!spec.server.empty()) field("Server", spec.server);
  if (spec.date) field("Date", http_date(std::chrono::system_clock::now()));
  if (!spec.content_type.empty()) field("Content-Type", spec.content_type);
  switch (spec.framing) {
    case ResponseFraming::kContentLength:
      field("Content-Length", std::to_string(spec.content_length));
      break;
    case ResponseFraming::kChunked:
      field("Transfer-Encoding", "chunked");
      break;
    case ResponseFraming::kNoBody:
      break;
  }
  if (!spec.keep_alive) {
    field("Connection", "close");
  } else if (spec.http10_peer) {
    field("Connection", "keep-alive");
  }
  for (const FieldView& f : spec.fields) field(f.name, f.value);
  head.append("\r\n");
  return head;
}

}  // namespace flotilla::http
