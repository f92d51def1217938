#include "supervisor/cgroup_limits.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

TEST(ParseProcCgroup, SplitsCombinedControllersAndSkipsV2) {
  const auto groups = parse_proc_cgroup(
      "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n");
  EXPECT_EQ(groups.at("memory"), "/process_api/abc");
  EXPECT_EQ(groups.at("cpu"), "/x");
  EXPECT_EQ(groups.at("cpuacct"), "/x");
  EXPECT_EQ(groups.at("pids"), "/");
  EXPECT_EQ(groups.count(""), 0u);
}

TEST(ParseV1Mounts, FindsControllersInSuperOptions) {
  const auto mounts = parse_v1_mounts(
      "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
      "31 25 0:27 /ns /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "33 25 0:29 / /proc rw - proc proc rw\n");
  ASSERT_EQ(mounts.count("memory"), 1u);
  EXPECT_EQ(mounts.at("memory").mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(mounts.at("memory").root, "/");
  EXPECT_EQ(mounts.at("cpu").mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(mounts.at("cpuacct").root, "/ns");
  EXPECT_EQ(mounts.count("pids"), 0u);
}

TEST(CpuQuota, MillicoresToMicrosecondsPerPeriod) {
  EXPECT_EQ(cpu_quota_us(500, 100000), 50000);
  EXPECT_EQ(cpu_quota_us(2000, 100000), 200000);
  EXPECT_EQ(cpu_quota_us(1, 100000), 1000);  // the kernel's minimum
}

TEST(OomKillCount, ReadsTheCounter) {
  EXPECT_EQ(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"), 2u);
  EXPECT_EQ(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\n"), 0u);
}

}  // namespace
}  // namespace flotilla::supervisor
