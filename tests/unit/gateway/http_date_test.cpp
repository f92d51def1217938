#include "gateway/http_date.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http/simple_response_head.hpp"

namespace flotilla::gateway {
namespace {

std::string date_at(std::time_t seconds) {
  return http::http_date(std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

// The cached text is the wall clock's current second (or one tick away: the coarse clock may
// lag by a tick, and the second may turn between the two reads).
TEST(GatewayHttpDate, NowIsTheCurrentSecond) {
  HttpDate date;
  const std::string first(date.now());
  ASSERT_EQ(first.size(), 29u);
  const std::time_t wall = std::time(nullptr);
  EXPECT_TRUE(first == date_at(wall) || first == date_at(wall - 1) || first == date_at(wall + 1))
      << first;
  // Asked again within the second: the same bytes from the same buffer.
  const std::string_view again = date.now();
  EXPECT_TRUE(again == first || again == date_at(wall + 1) || again == date_at(wall + 2));
}

}  // namespace
}  // namespace flotilla::gateway
