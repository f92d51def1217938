#include "supervisor/line_stamper.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

using std::chrono::system_clock;

system_clock::time_point at(std::int64_t millis) {
  return system_clock::time_point(std::chrono::milliseconds(millis));
}

TEST(LineStamper, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_log_time(at(1'795'000'000'123)), "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(format_log_time(at(0)).size(), kLogTimeLength);
}

TEST(LineStamper, StampsEveryLineOnce) {
  LineStamper stamper;
  const std::string t = format_log_time(at(0));
  EXPECT_EQ(stamper.stamp("a\nb\n", at(0)), t + " a\n" + t + " b\n");
}

TEST(LineStamper, LineSplitAcrossChunksIsStampedAtItsStart) {
  LineStamper stamper;
  const std::string t0 = format_log_time(at(0));
  const std::string t1 = format_log_time(at(5000));
  std::string out = stamper.stamp("hel", at(0));
  out += stamper.stamp("lo\nnext", at(5000));
  out += stamper.stamp("\n", at(9000));
  EXPECT_EQ(out, t0 + " hello\n" + t1 + " next\n");
}

TEST(LineStamper, EmptyChunkChangesNothing) {
  LineStamper stamper;
  EXPECT_EQ(stamper.stamp("", at(0)), "");
  EXPECT_EQ(stamper.stamp("x", at(0)), format_log_time(at(0)) + " x");
}

}  // namespace
}  // namespace flotilla::supervisor
