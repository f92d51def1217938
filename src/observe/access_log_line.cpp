#include "observe/access_log_line.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace flotilla::observe {

void Rfc3339Clock::append(std::string& out, std::chrono::system_clock::time_point time) {
  const auto ms_total =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::int64_t second = ms_total / 1000;
  std::int64_t ms = ms_total % 1000;
  if (ms < 0) {  // before 1970: floor, not truncate
    ms += 1000;
    --second;
  }
  if (second != second_) {
    const std::time_t t = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(prefix_, sizeof prefix_, "%Y-%m-%dT%H:%M:%S", &tm);
    second_ = second;
  }
  out += prefix_;
  fmt::format_to(std::back_inserter(out), ".{:03}Z", ms);
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte > 0x7e) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

namespace {

void append_string_or_null(std::string& out, std::string_view text) {
  if (text.empty()) {
    out += "null";
  } else {
    append_json_string(out, text);
  }
}

}  // namespace

void append_access_log_line(std::string& out, const AccessLogEntry& entry, Rfc3339Clock& clock) {
  auto it = std::back_inserter(out);
  out += "{\"time\":\"";
  clock.append(out, entry.time);
  out += "\",\"client\":";
  append_json_string(out, entry.client);
  out += ",\"method\":";
  append_json_string(out, entry.method);
  out += ",\"path\":";
  append_json_string(out, entry.path);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(entry.duration).count();
  fmt::format_to(it, ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_ms\":{}.{:03}",
                 entry.status, entry.bytes_in, entry.bytes_out, us / 1000, us % 1000);
  out += ",\"upstream\":";
  append_string_or_null(out, entry.upstream);
  fmt::format_to(it, ",\"attempts\":{},\"request_id\":", entry.attempts);
  append_string_or_null(out, entry.request_id);
  out += ",\"route\":";
  append_string_or_null(out, entry.route);
  out += "}\n";
}

}  // namespace flotilla::observe
