// One flotilla per state_dir: the second claim fails while the first is held, and succeeds once
// it is released. (flock locks belong to open file descriptions, so one process shows it.)
#include "app/state_dir_lock.hpp"

#include <gtest/gtest.h>

#include "../admin/admin_test_support.hpp"

namespace flotilla::app {
namespace {

TEST(StateDirLock, SecondClaimFailsUntilTheFirstIsReleased) {
  admin::testing::TempDir dir;
  const std::filesystem::path state = dir.path() / "state";  // created by the claim
  std::string error;
  std::optional<StateDirLock> first = StateDirLock::acquire(state, error);
  ASSERT_TRUE(first.has_value()) << error;
  EXPECT_TRUE(std::filesystem::exists(state / "lock"));

  std::optional<StateDirLock> second = StateDirLock::acquire(state, error);
  EXPECT_FALSE(second.has_value());
  EXPECT_EQ(error, "another flotilla is running with state dir " + state.string());

  first.reset();
  error.clear();
  const std::optional<StateDirLock> third = StateDirLock::acquire(state, error);
  EXPECT_TRUE(third.has_value()) << error;
}

TEST(StateDirLock, UnusableDirectoryIsAnError) {
  std::string error;
  EXPECT_FALSE(StateDirLock::acquire("/proc/self/no-such/state", error).has_value());
  EXPECT_NE(error.find("/proc/self/no-such/state"), std::string::npos) << error;
}

}  // namespace
}  // namespace flotilla::app
