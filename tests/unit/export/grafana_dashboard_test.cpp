// The dashboard is valid JSON with the seed's panels, and every query is one flotilla's own
// alert-expression parser accepts (so it is PromQL over metrics flotilla exports).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "export/exporter.hpp"
#include "promql/parse_alert_expr.hpp"

namespace flotilla::exporters {
namespace {

TEST(GrafanaDashboard, HasTheSeedPanelsWithValidQueries) {
  const nlohmann::json dashboard = nlohmann::json::parse(render_grafana_dashboard({}));
  EXPECT_EQ(dashboard["uid"], "flotilla");
  EXPECT_EQ(dashboard["templating"]["list"][0]["type"], "datasource");
  EXPECT_EQ(dashboard["templating"]["list"][0]["query"], "prometheus");
  std::vector<std::string> titles;
  std::set<int> ids;
  for (const auto& panel : dashboard["panels"]) {
    titles.push_back(panel["title"]);
    ids.insert(panel["id"].get<int>());
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}");
    ASSERT_FALSE(panel["targets"].empty());
    for (const auto& target : panel["targets"]) {
      std::string expr = target["expr"];
      const std::string interval = "$__rate_interval";
      for (std::size_t at = expr.find(interval); at != std::string::npos;
           at = expr.find(interval)) {
        expr.replace(at, interval.size(), "5m");
      }
      const promql::ExprParseResult parsed = promql::parse_alert_expr(expr);
      EXPECT_TRUE(parsed.ok()) << expr << ": " << parsed.error;
    }
  }
  EXPECT_EQ(ids.size(), titles.size());
  for (const char* seed : {"Request rate by method and status", "Latency p50 / p95", "Instances up",
                           "Memory per instance"}) {
    EXPECT_NE(std::find(titles.begin(), titles.end(), seed), titles.end()) << seed;
  }
}

}  // namespace
}  // namespace flotilla::exporters
