// The rule file holds exactly the rules flotilla evaluates, in Prometheus' format.
// (`promtool check rules` runs on it in tests/integration/export/export_test.py.)
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "export/exporter.hpp"

namespace flotilla::exporters {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusRules, HoldsDefaultAndUserRules) {
  config::Spec spec;
  spec.alerts.evaluation_interval = 30s;
  spec.alerts.default_rules.window = 1min;
  config::AlertRule mine;
  mine.name = "QueueStuck";
  mine.expr = R"(max(queue_depth{queue="jobs"}) > 100)";
  mine.for_duration = 90s;
  mine.labels["team"] = "ops";
  mine.annotations["summary"] = "{{ $value }} jobs waiting";
  spec.alerts.rules.push_back(mine);

  const YAML::Node file = YAML::Load(render_prometheus_rules(spec));
  const YAML::Node group = file["groups"][0];
  EXPECT_EQ(group["name"].as<std::string>(), "flotilla");
  EXPECT_EQ(group["interval"].as<std::string>(), "30s");
  const YAML::Node rules = group["rules"];
  ASSERT_EQ(rules.size(), 6u);  // 5 default rules (CertificateRenewalFailing the fifth) + mine
  EXPECT_EQ(rules[0]["alert"].as<std::string>(), "HighErrorRate");
  EXPECT_EQ(rules[0]["expr"].as<std::string>(),
            R"(sum(rate(http_requests_total{status=~"5.."}[1m])) > 0.1)");
  EXPECT_EQ(rules[0]["for"].as<std::string>(), "5m");
  EXPECT_EQ(rules[5]["alert"].as<std::string>(), "QueueStuck");
  EXPECT_EQ(rules[5]["expr"].as<std::string>(), mine.expr);
  EXPECT_EQ(rules[5]["for"].as<std::string>(), "1m30s");
  EXPECT_EQ(rules[5]["labels"]["team"].as<std::string>(), "ops");
  EXPECT_EQ(rules[5]["annotations"]["summary"].as<std::string>(), "{{ $value }} jobs waiting");
}

TEST(PrometheusRules, OmitsAZeroFor) {
  config::Spec spec;
  spec.alerts.defaults = false;
  spec.alerts.rules.push_back(config::AlertRule{{}, "Now", "up == 0", 0s, {}, {}});
  const YAML::Node rule = YAML::Load(render_prometheus_rules(spec))["groups"][0]["rules"][0];
  EXPECT_FALSE(rule["for"]);
  EXPECT_FALSE(rule["labels"]);
}

TEST(Exporters, AreFoundByKind) {
  ASSERT_TRUE(find_exporter("prometheus-rules"));
  EXPECT_EQ(find_exporter("prometheus-rules")->file_name, "prometheus-rules.yml");
  EXPECT_EQ(find_exporter("grafana")->file_name, "grafana-dashboard.json");
  EXPECT_FALSE(find_exporter("k8s"));
}

}  // namespace
}  // namespace flotilla::exporters
