// Certificate and ACME families (see certificate_metrics.hpp).
#include "observe/certificate_metrics.hpp"

namespace flotilla::observe {

void append_certificate_metrics(MetricsView& view, std::span<const CertificateSample> certificates,
                                const std::map<std::string, std::uint64_t>& orders) {
  auto expiry = family("flotilla_certificate_expiry_timestamp_seconds",
                       "When each served certificate expires (Unix time), by source: file or acme.",
                       MetricType::gauge);
  auto failing = family("flotilla_certificate_renewal_failing",
                        "1 while the last ACME order for the certificate failed (the old one is "
                        "still served).",
                        MetricType::gauge);
  auto temporary = family("flotilla_certificate_temporary",
                          "1 while a temporary self-signed certificate stands in for an ACME one.",
                          MetricType::gauge);
  auto orders_family = family("flotilla_acme_orders_total",
                              "ACME orders since start, by result: valid, invalid "
                              "(refused by the ACME server), error.",
                              MetricType::counter);
  for (const CertificateSample& certificate : certificates) {
    expiry.samples.push_back({expiry.name,
                              {{"name", certificate.name}, {"source", certificate.source}},
                              certificate.expiry_seconds});
    if (certificate.source != "acme") continue;
    failing.samples.push_back(
        {failing.name, {{"name", certificate.name}}, certificate.renewal_failing ? 1.0 : 0.0});
    temporary.samples.push_back(
        {temporary.name, {{"name", certificate.name}}, certificate.temporary ? 1.0 : 0.0});
  }
  for (const char* result : {"valid", "invalid", "error"}) {
    const auto found = orders.find(result);
    orders_family.samples.push_back({orders_family.name,
                                     {{"result", result}},
                                     found == orders.end() ? 0.0 : double(found->second)});
  }
  for (auto* f : {&expiry, &failing, &temporary, &orders_family}) view.push_back(std::move(*f));
}

}  // namespace flotilla::observe
