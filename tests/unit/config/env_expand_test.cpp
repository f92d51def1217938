// ${VAR} expansion: defaults, escapes, the per-instance variables kept for the supervisor, and
// errors for unset or malformed references.
#include "config/env_expand.hpp"

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

const EnvLookup kEnv = testing::fake_env({{"HOME", "/home/ada"}, {"EMPTY", ""}, {"N", "3"}});

std::string expanded(std::string_view text) {
  const auto result = expand_env(text, kEnv);
  return result.ok() ? result.value() : "error: " + result.error();
}

TEST(ExpandEnv, SubstitutesBracedVariables) {
  EXPECT_EQ(expanded("${HOME}/app"), "/home/ada/app");
  EXPECT_EQ(expanded("a${N}b${N}"), "a3b3");
  EXPECT_EQ(expanded("${EMPTY}"), "");
  EXPECT_EQ(expanded("plain text"), "plain text");
  EXPECT_EQ(expanded(""), "");
}

TEST(ExpandEnv, DefaultsApplyWhenUnsetOrEmpty) {
  EXPECT_EQ(expanded("${MISSING:-fallback}"), "fallback");
  EXPECT_EQ(expanded("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(expanded("${HOME:-fallback}"), "/home/ada");
  EXPECT_EQ(expanded("${MISSING:-}"), "");
  EXPECT_EQ(expanded("${MISSING:-redis://127.0.0.1:6379/0}"), "redis://127.0.0.1:6379/0");
  EXPECT_EQ(expanded("${MISSING:-${HOME}/data}"), "/home/ada/data");
  EXPECT_EQ(expanded("${MISSING:-${ALSO_MISSING:-deep}}"), "deep");
}

TEST(ExpandEnv, DollarDollarIsALiteralDollar) {
  EXPECT_EQ(expanded("costs $$5"), "costs $5");
  EXPECT_EQ(expanded("$${HOME}"), "${HOME}");
  EXPECT_EQ(expanded("$$$$"), "$$");
}

TEST(ExpandEnv, KeepsInstanceVariablesAndBareNamesForLater) {
  EXPECT_EQ(expanded("--port $PORT"), "--port $PORT");
  EXPECT_EQ(expanded("--port ${PORT}"), "--port ${PORT}");
  EXPECT_EQ(expanded("id-$INSTANCE-${INSTANCE}"), "id-$INSTANCE-${INSTANCE}");
  EXPECT_EQ(expanded("${PORT:-8000}"), "${PORT:-8000}");
  EXPECT_EQ(expanded("echo $HOME"), "echo $HOME");  // the shell's business
  EXPECT_EQ(expanded("trailing $"), "trailing $");
  EXPECT_EQ(expanded("${PORTAL:-x}"), "x");  // only the exact names are reserved
}

TEST(ExpandEnv, ReportsUnsetAndMalformedReferences) {
  EXPECT_EQ(expanded("${DATABASE_URL}"),
            "error: environment variable 'DATABASE_URL' is not set (use ${DATABASE_URL:-default} "
            "to give a default)");
  EXPECT_EQ(expanded("x ${HOME"), "error: unterminated '${' in 'x ${HOME' (missing '}')");
  EXPECT_EQ(expanded("${}"),
            "error: invalid variable reference '${}' (use ${NAME} or ${NAME:-default})");
  EXPECT_EQ(expanded("${1X}"),
            "error: invalid variable reference '${1X}' (use ${NAME} or ${NAME:-default})");
  EXPECT_EQ(expanded("${A-b}"),
            "error: invalid variable reference '${A-b}' (use ${NAME} or ${NAME:-default})");
  EXPECT_EQ(expanded("${MISSING:-${ALSO_MISSING}}"),
            "error: environment variable 'ALSO_MISSING' is not set (use ${ALSO_MISSING:-default} "
            "to give a default)");
}

TEST(ExpandEnv, ProcessEnvironmentReadsGetenv) {
  const EnvLookup env = process_environment();
  ASSERT_NE(std::getenv("PATH"), nullptr);
  EXPECT_EQ(env("PATH"), std::string(std::getenv("PATH")));
  EXPECT_EQ(env("FLOTILLA_SURELY_UNSET_VARIABLE_1234"), std::nullopt);
}

}  // namespace
}  // namespace flotilla::config
