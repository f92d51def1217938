// The header of `flotilla top` and the cut to the terminal's width.
#include "observe/top/top_header.hpp"

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

TEST(TopHeader, TotalsComeFromTheNewestDashboardPoint) {
  const nlohmann::json dashboard = {
      {"points",
       {{{"rate", {0, 1, 0, 0, 0}}, {"errors", nullptr}, {"p95", nullptr}},
        {{"rate", {0, 90, 0, 5, 5}}, {"errors", 0.05}, {"p95", 0.012}}}}};
  const TopTotals totals = top_totals(dashboard, {});
  EXPECT_DOUBLE_EQ(*totals.requests_per_second, 100.0);
  EXPECT_DOUBLE_EQ(*totals.errors_per_second, 5.0);
  EXPECT_EQ(render_top_header("14:02:07", totals),
            "flotilla top  14:02:07  100.0 req/s  errors 5.0/s (5.0%)  p95 12.0 ms\n");
}

TEST(TopHeader, WithoutPointsTheRowsAreSummedAndP95IsUnknown) {
  std::vector<TopRow> rows(2);
  rows[0].requests_per_second = 3;
  rows[1].requests_per_second = 4.5;
  rows[1].errors_per_second = 0.5;
  const TopTotals totals = top_totals(nlohmann::json::object(), rows);
  EXPECT_EQ(render_top_header("09:00:00", totals),
            "flotilla top  09:00:00  7.5 req/s  errors 0.5/s  p95 -\n");
  EXPECT_EQ(render_top_header("09:00:00", TopTotals{}),
            "flotilla top  09:00:00  - req/s  errors -  p95 -\n");
}

TEST(TopHeader, FitToWidthCutsEveryLine) {
  EXPECT_EQ(fit_to_width("abcdef\nab\nabcdefgh\n", 4), "abcd\nab\nabcd\n");
  EXPECT_EQ(fit_to_width("abc", 2), "ab");
  EXPECT_EQ(fit_to_width("abcdef\n", 0), "abcdef\n");
}

}  // namespace
}  // namespace flotilla::observe
