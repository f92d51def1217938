#include "supervisor/probe_runner.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

using Verdict = ProbeTracker::Verdict;

TEST(ProbeTracker, PassesAfterSuccessThreshold) {
  ProbeTracker tracker(2, 3, Verdict::unknown);
  EXPECT_EQ(tracker.record(true), std::nullopt);
  EXPECT_EQ(tracker.record(true), Verdict::passing);
  EXPECT_EQ(tracker.record(true), std::nullopt);
}

TEST(ProbeTracker, FailsAfterFailureThresholdInARow) {
  ProbeTracker tracker(1, 3, Verdict::passing);
  EXPECT_EQ(tracker.record(false), std::nullopt);
  EXPECT_EQ(tracker.record(false), std::nullopt);
  EXPECT_EQ(tracker.record(true), std::nullopt);  // resets the failure count
  EXPECT_EQ(tracker.record(false), std::nullopt);
  EXPECT_EQ(tracker.record(false), std::nullopt);
  EXPECT_EQ(tracker.record(false), Verdict::failing);
  EXPECT_EQ(tracker.record(false), std::nullopt);  // already failing: no repeat
}

TEST(ProbeTracker, UnknownCanFailForGood) {
  // A startup probe that never passes: failure_threshold failures end it.
  ProbeTracker tracker(1, 2, Verdict::unknown);
  EXPECT_EQ(tracker.record(false), std::nullopt);
  EXPECT_EQ(tracker.record(false), Verdict::failing);
  EXPECT_EQ(tracker.record(true), Verdict::passing);
}

TEST(ProbeTracker, SuccessesInterruptedByAFailureStartOver) {
  ProbeTracker tracker(3, 5, Verdict::failing);
  tracker.record(true);
  tracker.record(true);
  tracker.record(false);
  EXPECT_EQ(tracker.record(true), std::nullopt);
  EXPECT_EQ(tracker.record(true), std::nullopt);
  EXPECT_EQ(tracker.record(true), Verdict::passing);
}

TEST(ProbeTracker, ZeroThresholdsActAsOne) {
  ProbeTracker tracker(0, 0, Verdict::unknown);
  EXPECT_EQ(tracker.record(true), Verdict::passing);
  EXPECT_EQ(tracker.record(false), Verdict::failing);
}

}  // namespace
}  // namespace flotilla::supervisor
