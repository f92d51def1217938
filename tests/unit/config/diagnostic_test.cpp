// How diagnostics print: like gcc, so editors jump to the line.
#include "config/diagnostic.hpp"

#include <gtest/gtest.h>

namespace flotilla::config {
namespace {

TEST(FormatDiagnostic, FileLineColumnMessage) {
  EXPECT_EQ(format_diagnostic({"flotilla.yaml", 7, 5, "unknown key 'x'"}),
            "flotilla.yaml:7:5: unknown key 'x'");
}

TEST(FormatDiagnostic, OmitsMissingPositions) {
  EXPECT_EQ(format_diagnostic({"flotilla.yaml", 0, 0, "cannot read"}),
            "flotilla.yaml: cannot read");
  EXPECT_EQ(format_diagnostic({"flotilla.yaml", 3, 0, "bad line"}), "flotilla.yaml:3: bad line");
}

}  // namespace
}  // namespace flotilla::config
