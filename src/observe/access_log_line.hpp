// One access-log line: a JSON object per request, written into a caller's buffer without
// allocating once the buffer has grown. Formatting only; batching and I/O live elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace flotilla::observe {

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;  // when the request ended
  std::string_view client;                     // peer IP
  std::string_view scheme;                     // http or https
  std::string_view protocol;                   // "HTTP/1.1" (also for 1.0) or "HTTP/2"
  std::string_view method;
  std::string_view path;  // the request target as received (path and query)
  int status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::chrono::nanoseconds duration{0};
  std::string_view upstream;  // the endpoint key of the last attempt; empty: null
  std::uint32_t attempts = 0;
  bool hedged = false;          // a hedge went out: `"hedged":true` after attempts (else absent)
  std::string_view request_id;  // empty: null
  std::string_view route;       // the route's name; empty (unrouted): null
  std::string_view rate_limit;  // the limit that refused or delayed it: `"rate_limited":NAME`
};

// RFC 3339 UTC timestamps with milliseconds; remembers the formatted second, so most calls only
// write the milliseconds.
class Rfc3339Clock {
 public:
  void append(std::string& out, std::chrono::system_clock::time_point time);

 private:
  std::int64_t second_ = INT64_MIN;
  char prefix_[20] = {};  // "2026-11-22T02:35:10"
};

// A JSON string literal, quotes included. Control characters, `"` and `\` are escaped; so is
// every byte above 0x7e, as \u00XX (the log stays valid JSON whatever bytes a client sent).
void append_json_string(std::string& out, std::string_view text);

// Appends the entry's line, newline included:
// {"time":"…","client":"…","scheme":"https","protocol":"HTTP/1.1","method":"GET","path":"/x","status":200,"bytes_in":78,
//  "bytes_out":120,"duration_ms":1.234,"upstream":"127.0.0.1:8001","attempts":1,
//  ["hedged":true,] "request_id":"…","route":"/"}
void append_access_log_line(std::string& out, const AccessLogEntry& entry, Rfc3339Clock& clock);

}  // namespace flotilla::observe
