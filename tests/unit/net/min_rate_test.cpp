#include "net/min_rate.hpp"

#include <gtest/gtest.h>

namespace flotilla::net {
namespace {

using namespace std::chrono_literals;
using Clock = MinRate::Clock;

TEST(MinRate, OffByDefault) {
  MinRate off;
  EXPECT_FALSE(off.enabled());
  EXPECT_TRUE(off.on_bytes(0, Clock::time_point{} + 1h));
  EXPECT_EQ(off.window_end(), Clock::time_point::max());
}

TEST(MinRate, AWindowPaidForStartsTheNext) {
  MinRate rate(100, 2s);  // 200 bytes per 2 s window
  const Clock::time_point t0{};
  rate.start(t0);
  EXPECT_EQ(rate.window_end(), t0 + 2s);
  EXPECT_TRUE(rate.on_bytes(150, t0 + 1s));
  EXPECT_EQ(rate.window_end(), t0 + 2s);  // not paid yet
  EXPECT_TRUE(rate.on_bytes(50, t0 + 1500ms));
  EXPECT_EQ(rate.window_end(), t0 + 3500ms);  // paid: a new window from here
}

TEST(MinRate, TooLittleInAWindowIsTooSlow) {
  MinRate rate(100, 2s);
  const Clock::time_point t0{};
  rate.start(t0);
  EXPECT_TRUE(rate.on_bytes(10, t0 + 1s));
  EXPECT_FALSE(rate.on_bytes(10, t0 + 2100ms));  // the window ended with 20 of 200 bytes
  // A late but big arrival still pays for the window (the sweep would have cut it first).
  rate.start(t0);
  EXPECT_TRUE(rate.on_bytes(500, t0 + 3s));
}

TEST(MinRate, TinyRatesStillNeedAByte) {
  MinRate rate(1, 100ms);
  EXPECT_TRUE(rate.enabled());
  rate.start(Clock::time_point{});
  EXPECT_FALSE(rate.on_bytes(0, Clock::time_point{} + 200ms));
}

}  // namespace
}  // namespace flotilla::net
