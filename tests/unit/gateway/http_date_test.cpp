#include "gateway/http_date.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace flotilla::gateway {
namespace {

std::string formatted(std::time_t seconds) {
  std::string out(kHttpDateSize, '?');
  format_http_date(seconds, out.data());
  return out;
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(formatted(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(formatted(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(formatted(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(formatted(1798761599), "Thu, 31 Dec 2026 23:59:59 GMT");
}

TEST(HttpDate, NowIsTodaysDate) {
  HttpDate date;
  const std::string_view first = date.now();
  ASSERT_EQ(first.size(), kHttpDateSize);
  EXPECT_TRUE(first.ends_with(" GMT"));
  // Within a second or two of the wall clock (the coarse clock may lag by a tick).
  const std::time_t wall = std::time(nullptr);
  const std::string text(first);
  EXPECT_TRUE(text == formatted(wall) || text == formatted(wall - 1) || text == formatted(wall + 1))
      << text;
}

}  // namespace
}  // namespace flotilla::gateway
