// The Range parser as a table against a 1000-byte representation, and the multipart framing's
// length equal to the bytes it describes.
#include "gateway/static_files/byte_ranges.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway::files {
namespace {

struct RangeRow {
  const char* header;
  RangeVerdict verdict;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
};

TEST(ByteRanges, Table) {
  const RangeRow rows[] = {
      {"bytes=0-499", RangeVerdict::kSatisfiable, {{0, 499}}},
      {"bytes=500-", RangeVerdict::kSatisfiable, {{500, 999}}},
      {"bytes=-200", RangeVerdict::kSatisfiable, {{800, 999}}},
      {"bytes=-5000", RangeVerdict::kSatisfiable, {{0, 999}}},
      {"bytes=900-5000", RangeVerdict::kSatisfiable, {{900, 999}}},
      {"BYTES=0-0", RangeVerdict::kSatisfiable, {{0, 0}}},
      {"bytes=0-1, 10-19", RangeVerdict::kSatisfiable, {{0, 1}, {10, 19}}},
      {"bytes=0-1,,10-19", RangeVerdict::kSatisfiable, {{0, 1}, {10, 19}}},
      {"bytes=0-1,5000-6000", RangeVerdict::kSatisfiable, {{0, 1}}},
      {"bytes=1000-", RangeVerdict::kUnsatisfiable, {}},
      {"bytes=5000-6000", RangeVerdict::kUnsatisfiable, {}},
      {"bytes=-0", RangeVerdict::kUnsatisfiable, {}},
      {"bytes=5-1", RangeVerdict::kIgnore, {}},
      {"bytes=a-b", RangeVerdict::kIgnore, {}},
      {"bytes=", RangeVerdict::kIgnore, {}},
      {"bytes=1", RangeVerdict::kIgnore, {}},
      {"items=0-1", RangeVerdict::kIgnore, {}},
      {"bytes=99999999999999999999-", RangeVerdict::kIgnore, {}},
      // more than two overlapping or reordered ranges: the whole file
      {"bytes=0-10,5-15,1-2,0-4", RangeVerdict::kIgnore, {}},
  };
  for (const RangeRow& row : rows) {
    std::vector<ByteRange> ranges;
    EXPECT_EQ(parse_ranges(row.header, 1000, ranges), row.verdict) << row.header;
    ASSERT_EQ(ranges.size(), row.ranges.size()) << row.header;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      EXPECT_EQ(ranges[i].first, row.ranges[i].first) << row.header;
      EXPECT_EQ(ranges[i].last, row.ranges[i].second) << row.header;
    }
  }
}

TEST(ByteRanges, TooManyRangesAreIgnored) {
  std::string header = "bytes=";
  for (int i = 0; i <= static_cast<int>(kMaxRanges); ++i)
    header += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
  std::vector<ByteRange> ranges;
  EXPECT_EQ(parse_ranges(header, 1000, ranges), RangeVerdict::kIgnore);
}

TEST(ByteRanges, EmptyRepresentation) {
  std::vector<ByteRange> ranges;
  EXPECT_EQ(parse_ranges("bytes=0-", 0, ranges), RangeVerdict::kUnsatisfiable);
  EXPECT_EQ(parse_ranges("bytes=-1", 0, ranges), RangeVerdict::kUnsatisfiable);
}

TEST(ByteRanges, MultipartLengthCountsEveryByte) {
  const std::vector<ByteRange> ranges{{0, 9}, {100, 199}};
  const Multipart m = make_multipart(ranges, 1000, "text/plain; charset=utf-8", "B0UND");
  ASSERT_EQ(m.heads.size(), 2u);
  EXPECT_EQ(m.heads[0],
            "--B0UND\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-9/1000"
            "\r\n\r\n");
  EXPECT_TRUE(m.heads[1].starts_with("\r\n--B0UND\r\n"));
  EXPECT_EQ(m.tail, "\r\n--B0UND--\r\n");
  EXPECT_EQ(m.content_length, m.heads[0].size() + 10 + m.heads[1].size() + 100 + m.tail.size());
}

}  // namespace
}  // namespace flotilla::gateway::files
