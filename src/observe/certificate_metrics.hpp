// TLS certificates as Prometheus families: one expiry family for every served certificate
// whatever its source (a file, ACME, or the temporary self-signed stand-in), whether an ACME
// renewal is failing, ACME orders by result and how many run now — from plain rows the caller
// fills (app converts the acme manager's status and the TLS contexts' certificates). Data in,
// view out; knows nothing of acme/ or tls/.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "observe/sample.hpp"

namespace flotilla::observe {

struct CertificateSample {
  std::string name;              // the ACME domain, or the certificate's first name
  std::string source;            // "file", "acme" or "self-signed" (ACME's temporary one)
  std::string file;              // the certificate file served
  double expiry_seconds = 0;     // not_after, Unix time
  bool acme = false;             // ordered by flotilla (renewal_failing, temporary apply)
  bool renewal_failing = false;  // ACME: the last order failed
  bool temporary = false;        // ACME: the self-signed stand-in is served
};

struct AcmeOrderSample {
  std::map<std::string, std::uint64_t> results;  // result → orders since start
  std::uint32_t running = 0;                     // orders running now
};

// flotilla_certificate_expiry_timestamp_seconds{name,source,file},
// flotilla_certificate_renewal_failing{name}, flotilla_certificate_temporary{name},
// flotilla_acme_orders_total{result} and flotilla_acme_orders_running (with `orders`).
void append_certificate_metrics(MetricsView& view, std::span<const CertificateSample> certificates,
                                const AcmeOrderSample* orders);

}  // namespace flotilla::observe
