// Response head formatting shared by every small answer the demo (and later the gateway) sends.
// It never validates field names or values: callers pass constants or values they produced.
#include "demo/response_writer.hpp"

#include <ctime>

#include <fmt/format.h>

namespace flotilla::demo {

std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                     kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_response_head(const ResponseHeadSpec& spec) {
  std::string head;
  head.reserve(256);
  auto out = std::back_inserter(head);
  fmt::format_to(out, "HTTP/1.1 {} {}\r\n", spec.status, reason_phrase(spec.status));
  if (!spec.server.empty()) fmt::format_to(out, "Server: {}\r\n", spec.server);
  if (spec.date) {
    fmt::format_to(out, "Date: {}\r\n", http_date(std::chrono::system_clock::now()));
  }
  if (!spec.content_type.empty()) fmt::format_to(out, "Content-Type: {}\r\n", spec.content_type);
  switch (spec.framing) {
    case ResponseFraming::kContentLength:
      fmt::format_to(out, "Content-Length: {}\r\n", spec.content_length);
      break;
    case ResponseFraming::kChunked:
      head += "Transfer-Encoding: chunked\r\n";
      break;
    case ResponseFraming::kNoBody:
      break;
  }
  if (!spec.keep_alive) {
    head += "Connection: close\r\n";
  } else if (spec.http10_peer) {
    head += "Connection: keep-alive\r\n";
  }
  for (const FieldView& field : spec.fields) {
    fmt::format_to(out, "{}: {}\r\n", field.name, field.value);
  }
  head += "\r\n";
  return head;
}

}  // namespace flotilla::demo
