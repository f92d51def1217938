// SkippedStreamIds: which lower client stream ids a HEADERS may no longer open.
#include "gateway/h2/stream_ids.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway::h2 {
namespace {

TEST(SkippedStreamIds, InOrderSkipsNothing) {
  SkippedStreamIds ids;
  for (std::int32_t id = 1; id < 100; id += 2) EXPECT_TRUE(ids.headers(id));
  EXPECT_TRUE(ids.headers(51));  // a closed stream's trailers: nghttp2's call, not ours
}

TEST(SkippedStreamIds, ALowerSkippedIdIsRefused) {
  SkippedStreamIds ids;
  EXPECT_TRUE(ids.headers(5));  // 1 and 3 skipped
  EXPECT_FALSE(ids.headers(3));
  EXPECT_FALSE(ids.headers(1));
  EXPECT_TRUE(ids.headers(5));
  EXPECT_TRUE(ids.headers(11));  // 7 and 9 skipped
  EXPECT_FALSE(ids.headers(9));
  EXPECT_TRUE(ids.headers(13));
}

TEST(SkippedStreamIds, MemoryIsBounded) {
  SkippedStreamIds ids;
  std::int32_t id = 1;
  for (std::size_t i = 0; i <= SkippedStreamIds::kMaxRanges + 1; ++i) {
    EXPECT_TRUE(ids.headers(id));
    id += 4;  // skips one id each time
  }
  EXPECT_TRUE(ids.headers(3));        // the oldest range was forgotten
  EXPECT_FALSE(ids.headers(id - 6));  // the newest is remembered
}

}  // namespace
}  // namespace flotilla::gateway::h2
