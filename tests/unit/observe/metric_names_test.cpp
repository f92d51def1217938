// The catalogue `flotilla check` warns against must name every family observe builds (else a
// correct rule would draw a warning) and recognise histogram series.
#include "observe/metric_names.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "observe/certificate_metrics.hpp"
#include "observe/gateway_metrics.hpp"
#include "observe/instance_metrics.hpp"

namespace flotilla::observe {
namespace {

TEST(MetricNames, EveryFamilyObserveBuildsIsListed) {
  GatewayStats stats;
  MetricsView view = gateway_metrics_view(stats);
  const std::vector<InstanceSample> instances{InstanceSample{}};
  const std::vector<std::string_view> states{"ready"};
  append_instance_metrics(view, instances, states);
  const std::vector<CertificateSample> certificates{
      {"a.test", "acme", "/s/a.pem", 1.0, true, true, false},
      {"b.test", "file", "/etc/b.pem", 2.0, false, false, false}};
  AcmeOrderSample orders;
  orders.results = {{"valid", 1}};
  orders.running = 1;
  append_certificate_metrics(view, certificates, &orders);
  ASSERT_GT(view.size(), 10u);
  for (const MetricFamily& family : view) {
    EXPECT_TRUE(is_exported_metric(family.name)) << family.name;
    for (const Sample& sample : family.samples) {
      EXPECT_TRUE(is_exported_metric(sample.name)) << sample.name;
    }
  }
}

TEST(MetricNames, HistogramSeriesAndUnknownNames) {
  EXPECT_TRUE(is_exported_metric("http_request_duration_seconds_bucket"));
  EXPECT_TRUE(is_exported_metric("http_request_duration_seconds_count"));
  EXPECT_TRUE(is_exported_metric("flotilla_crash_refused_requests_total"));
  EXPECT_FALSE(is_exported_metric("http_requests_total_count"));
  EXPECT_FALSE(is_exported_metric("http_request_total"));
  EXPECT_FALSE(is_exported_metric("flotilla_instance_restart_total"));
  EXPECT_FALSE(is_exported_metric(""));
}

}  // namespace
}  // namespace flotilla::observe
