#include "supervisor/proc_stats.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

TEST(ParseProcStat, CpuAndRssEvenWithSpacesInTheName) {
  const std::string stat =
      "1234 (my (odd) app) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 "
      "10000000 300 18446744073709551615";
  const auto usage = parse_proc_stat(stat, 100, 4096);
  ASSERT_TRUE(usage);
  EXPECT_DOUBLE_EQ(usage->cpu_seconds, 3.0);
  EXPECT_EQ(usage->memory_bytes, 300u * 4096u);
}

TEST(ParseProcStat, RejectsGarbage) {
  EXPECT_FALSE(parse_proc_stat("nonsense", 100, 4096));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2", 100, 4096));
}

TEST(ReadProcessUsage, ReadsOurselves) {
  const auto usage = read_process_usage(::getpid());
  ASSERT_TRUE(usage);
  EXPECT_GT(usage->memory_bytes, 0u);
}

}  // namespace
}  // namespace flotilla::supervisor
