#include "observe/access_log_line.hpp"

#include <ctime>

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
  const char millis[] = {'.', static_cast<char>('0' + ms / 100),
                         static_cast<char>('0' + ms / 10 % 10), static_cast<char>('0' + ms % 10),
                         'Z'};
  out.append(prefix_, 19);
  out.append(millis, sizeof millis);
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of plain bytes are appended whole: paths and ids rarely need escaping.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte <= 0x7e && byte != '"' && byte != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else {
      const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
      out.append(escape, sizeof escape);
    }
  }
  out.append(text.data() + run, text.size() - run);
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
  out += "{\"time\":\"";
  clock.append(out, entry.time);
  out += "\",\"client\":";
  append_json_string(out, entry.client);
  out += ",\"scheme\":";
  append_json_string(out, entry.scheme.empty() ? std::string_view("http") : entry.scheme);
  out += ",\"protocol\":";
  append_json_string(out, entry.protocol.empty() ? std::string_view("HTTP/1.1") : entry.protocol);
  out += ",\"method\":";
  append_json_string(out, entry.method);
  out += ",\"path\":";
  append_json_string(out, entry.path);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(entry.duration).count();
  char numbers[160];
  auto end =
      fmt::format_to_n(numbers, sizeof numbers,
                       ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_ms\":{}.{:03}",
                       entry.status, entry.bytes_in, entry.bytes_out, us / 1000, us % 1000);
  out.append(numbers, end.out);
  out += ",\"upstream\":";
  append_string_or_null(out, entry.upstream);
  end = fmt::format_to_n(numbers, sizeof numbers, ",\"attempts\":{}", entry.attempts);
  out.append(numbers, end.out);
  if (entry.hedged) out += ",\"hedged\":true";
  out += ",\"request_id\":";
  append_string_or_null(out, entry.request_id);
  out += ",\"route\":";
  append_string_or_null(out, entry.route);
  if (!entry.rate_limit.empty()) {
    out += ",\"rate_limited\":";
    append_string_or_null(out, entry.rate_limit);
  }
  out += "}\n";
}

}  // namespace flotilla::observe
