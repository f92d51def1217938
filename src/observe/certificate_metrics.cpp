// Certificate and ACME families (see certificate_metrics.hpp).
#include "observe/certificate_metrics.hpp"

namespace flotilla::observe {

void append_certificate_metrics(MetricsView& view, std::span<const CertificateSample> certificates,
                                const AcmeOrderSample* orders) {
  auto expiry = family("flotilla_certificate_expiry_timestamp_seconds",
                       "When each served certificate expires (Unix time), by source: file, acme "
                       "or self-signed (the temporary one served until ACME issues one).",
                       MetricType::gauge);
  auto failing = family("flotilla_certificate_renewal_failing",
                        "1 while the last ACME order for the certificate failed (the old one is "
                        "still served).",
                        MetricType::gauge);
  auto temporary = family("flotilla_certificate_temporary",
                          "1 while a temporary self-signed certificate stands in for an ACME one.",
                          MetricType::gauge);
  for (const CertificateSample& certificate : certificates) {
    expiry.samples.push_back(
        {expiry.name,
         {{"file", certificate.file}, {"name", certificate.name}, {"source", certificate.source}},
         certificate.expiry_seconds});
    if (!certificate.acme) continue;
    failing.samples.push_back(
        {failing.name, {{"name", certificate.name}}, certificate.renewal_failing ? 1.0 : 0.0});
    temporary.samples.push_back(
        {temporary.name, {{"name", certificate.name}}, certificate.temporary ? 1.0 : 0.0});
  }
  view.push_back(std::move(expiry));
  if (orders == nullptr) return;
  view.push_back(std::move(failing));
  view.push_back(std::move(temporary));
  auto orders_family = family("flotilla_acme_orders_total",
                              "ACME orders since start, by result: valid, invalid "
                              "(refused by the ACME server), error.",
                              MetricType::counter);
  for (const char* result : {"valid", "invalid", "error"}) {
    const auto found = orders->results.find(result);
    orders_family.samples.push_back(
        {orders_family.name,
         {{"result", result}},
         found == orders->results.end() ? 0.0 : static_cast<double>(found->second)});
  }
  view.push_back(std::move(orders_family));
  auto running = family("flotilla_acme_orders_running",
                        "ACME orders running now (one per domain; at most "
                        "acme.max_parallel_orders at once).",
                        MetricType::gauge);
  running.samples.push_back({running.name, {}, static_cast<double>(orders->running)});
  view.push_back(std::move(running));
}

}  // namespace flotilla::observe
