#include "supervisor/expand.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

TEST(ExpandInstanceVariables, BareAndBracedForms) {
  const InstanceVariables vars{8002, 2};
  EXPECT_EQ(expand_instance_variables("--port $PORT", vars), "--port 8002");
  EXPECT_EQ(expand_instance_variables("--port=${PORT}", vars), "--port=8002");
  EXPECT_EQ(expand_instance_variables("w$INSTANCE-${INSTANCE}", vars), "w2-2");
  EXPECT_EQ(expand_instance_variables("$PORT$INSTANCE", vars), "80022");
}

TEST(ExpandInstanceVariables, LeavesOtherVariablesForTheShell) {
  const InstanceVariables vars{8000, 0};
  EXPECT_EQ(expand_instance_variables("echo $HOME ${USER} $PORTS $", vars),
            "echo $HOME ${USER} $PORTS $");
  EXPECT_EQ(expand_instance_variables("${PORT", vars), "${PORT");
}

TEST(ExpandInstanceVariables, DefaultsApplyOnlyWhenUnset) {
  EXPECT_EQ(expand_instance_variables("${PORT:-9000}", {8001, 1}), "8001");
  EXPECT_EQ(expand_instance_variables("${PORT:-9000}", {std::nullopt, 1}), "9000");
  EXPECT_EQ(expand_instance_variables("[$PORT]", {std::nullopt, 1}), "[]");
  EXPECT_EQ(expand_instance_variables("${INSTANCE:-x}", {std::nullopt, 3}), "3");
}

}  // namespace
}  // namespace flotilla::supervisor
