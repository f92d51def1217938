#include "app/table.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

TEST(Table, AlignsColumnsTwoSpacesApart) {
  Table table({"NAME", "STATE", "PID"});
  table.add_row({"web/0", "running", "123"});
  table.add_row({"web/10", "stopped"});
  EXPECT_EQ(table.render(),
            "NAME    STATE    PID\n"
            "web/0   running  123\n"
            "web/10  stopped\n");
}

TEST(Table, CountsUtf8CodePointsAndDropsExtraCells) {
  Table table({"A", "B"});
  table.add_row({"·x", "1", "extra"});
  table.add_row({"abc", "2"});
  EXPECT_EQ(table.render(),
            "A    B\n"
            "·x   1\n"
            "abc  2\n");
}

TEST(Table, EmptyTableIsJustTheHeader) {
  Table table({"ONLY"});
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.render(), "ONLY\n");
}

}  // namespace
}  // namespace flotilla::app
