#include "observe/access_log_line.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace flotilla::observe {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-11-22T02:35:10.042Z
const system_clock::time_point kTime = system_clock::time_point(milliseconds(1795314910042));

AccessLogEntry entry() {
  AccessLogEntry e;
  e.time = kTime;
  e.client = "127.0.0.1";
  e.method = "GET";
  e.path = "/api/hello?x=1";
  e.status = 200;
  e.bytes_in = 78;
  e.bytes_out = 120;
  e.duration = std::chrono::microseconds(1234);
  e.upstream = "127.0.0.1:8001";
  e.attempts = 1;
  e.request_id = "abc";
  e.route = "/api/";
  e.scheme = "https";
  return e;
}

TEST(AccessLogLine, ExactFormat) {
  std::string out;
  Rfc3339Clock clock;
  append_access_log_line(out, entry(), clock);
  EXPECT_EQ(out,
            R"({"time":"2026-11-22T02:35:10.042Z","client":"127.0.0.1","scheme":"https",)"
            R"("protocol":"HTTP/1.1","method":"GET",)"
            R"("path":"/api/hello?x=1","status":200,"bytes_in":78,"bytes_out":120,)"
            R"("duration_ms":1.234,"upstream":"127.0.0.1:8001","attempts":1,"request_id":"abc",)"
            R"("route":"/api/"})"
            "\n");
}

TEST(AccessLogLine, NamesTheRateLimitThatFired) {
  AccessLogEntry e = entry();
  e.status = 429;
  e.rate_limit = "api";
  std::string out;
  Rfc3339Clock clock;
  append_access_log_line(out, e, clock);
  EXPECT_TRUE(out.ends_with(R"("route":"/api/","rate_limited":"api"})"
                            "\n"))
      << out;
  std::string plain;
  append_access_log_line(plain, entry(), clock);
  EXPECT_EQ(plain.find("rate_limited"), std::string::npos);
}

TEST(AccessLogLine, AbsentUpstreamRequestIdAndRouteAreNull) {
  AccessLogEntry e = entry();
  e.upstream = {};
  e.request_id = {};
  e.route = {};
  e.attempts = 0;
  e.status = 404;
  e.duration = std::chrono::microseconds(5);
  std::string out;
  Rfc3339Clock clock;
  append_access_log_line(out, e, clock);
  const nlohmann::json line = nlohmann::json::parse(out);
  EXPECT_TRUE(line["upstream"].is_null());
  EXPECT_TRUE(line["request_id"].is_null());
  EXPECT_TRUE(line["route"].is_null());
  EXPECT_EQ(line["status"], 404);
  EXPECT_DOUBLE_EQ(line["duration_ms"].get<double>(), 0.005);
}

TEST(AccessLogLine, HostileBytesStayValidJson) {
  AccessLogEntry e = entry();
  const std::string path = std::string("/a\"b\\c\x01\x7f\xff\xc3\xa9", 11);
  e.path = path;
  e.method = "BREW";
  std::string out;
  Rfc3339Clock clock;
  append_access_log_line(out, e, clock);
  EXPECT_NE(out.find(R"("path":"/a\"b\\c\u0001\u007f\u00ff\u00c3\u00a9")"), std::string::npos)
      << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1);  // one line, whatever the input
  const nlohmann::json line = nlohmann::json::parse(out);
  EXPECT_EQ(line["method"], "BREW");
}

TEST(AccessLogLine, ClockFormatsMillisecondsAndCachesTheSecond) {
  Rfc3339Clock clock;
  std::string out;
  clock.append(out, kTime);
  out += ' ';
  clock.append(out, kTime + milliseconds(5));
  out += ' ';
  clock.append(out, kTime + milliseconds(958));  // next second
  out += ' ';
  clock.append(out, system_clock::time_point{});
  EXPECT_EQ(out,
            "2026-11-22T02:35:10.042Z 2026-11-22T02:35:10.047Z 2026-11-22T02:35:11.000Z "
            "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace flotilla::observe
