// One expiry family for every served certificate whatever its source (file, acme, self-signed),
// with sorted labels; the ACME families only when flotilla orders certificates.
#include "observe/certificate_metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace flotilla::observe {
namespace {

const MetricFamily* find(const MetricsView& view, std::string_view name) {
  const auto it =
      std::find_if(view.begin(), view.end(), [&](const MetricFamily& f) { return f.name == name; });
  return it == view.end() ? nullptr : &*it;
}

TEST(CertificateMetrics, OneExpiryFamilyForEverySource) {
  const std::vector<CertificateSample> certificates{
      {"a.test", "acme", "/s/a/fullchain.pem", 100.0, true, true, false},
      {"b.test", "self-signed", "/s/b/fullchain.pem", 200.0, true, false, true},
      {"example.com", "file", "/etc/tls/site.pem", 300.0, false, false, false}};
  AcmeOrderSample orders;
  orders.results = {{"valid", 3}, {"error", 1}};
  orders.running = 2;
  MetricsView view;
  append_certificate_metrics(view, certificates, &orders);
  const MetricFamily* expiry = find(view, "flotilla_certificate_expiry_timestamp_seconds");
  ASSERT_TRUE(expiry);
  ASSERT_EQ(expiry->samples.size(), 3u);
  EXPECT_EQ(expiry->samples[2].labels,
            (Labels{{"file", "/etc/tls/site.pem"}, {"name", "example.com"}, {"source", "file"}}));
  EXPECT_EQ(expiry->samples[1].labels[2].second, "self-signed");
  EXPECT_EQ(expiry->samples[0].value, 100.0);
  const MetricFamily* failing = find(view, "flotilla_certificate_renewal_failing");
  ASSERT_TRUE(failing);
  ASSERT_EQ(failing->samples.size(), 2u);  // ACME ones only
  EXPECT_EQ(failing->samples[0].value, 1.0);
  const MetricFamily* temporary = find(view, "flotilla_certificate_temporary");
  ASSERT_TRUE(temporary);
  EXPECT_EQ(temporary->samples[1].value, 1.0);
  const MetricFamily* running = find(view, "flotilla_acme_orders_running");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->samples.at(0).value, 2.0);
  const MetricFamily* results = find(view, "flotilla_acme_orders_total");
  ASSERT_TRUE(results);
  EXPECT_EQ(results->samples.size(), 3u);  // valid, invalid, error
  EXPECT_EQ(results->samples[1].value, 0.0);

  MetricsView files_only;
  append_certificate_metrics(files_only, std::span(certificates).subspan(2), nullptr);
  ASSERT_EQ(files_only.size(), 1u);
  EXPECT_EQ(files_only[0].name, "flotilla_certificate_expiry_timestamp_seconds");
}

}  // namespace
}  // namespace flotilla::observe
