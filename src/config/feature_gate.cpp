// The catalogue of gated features. Each name is recorded by exactly one section parser (see the
// `feature(...)`/`use_feature(...)` calls); feature_gate_test checks the two stay in step.
#include "config/feature_gate.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace flotilla::config {
namespace {

constexpr std::array kGatedFeatures{
    GatedFeature{"tls", "listen[].tls"},
    GatedFeature{"client_cert_verify", "listen[].tls.client_ca"},
    GatedFeature{"http2", "listen[].http2: true"},
    GatedFeature{"redirect_https", "listen[].redirect_https: true"},
    GatedFeature{"hsts", "listen[].hsts"},
    GatedFeature{"listener_health", "listen[].health, listen[].ready"},
    GatedFeature{"unix_listener", "listen[].address: unix:/path"},
    GatedFeature{"autoscale", "services.*.autoscale"},
    GatedFeature{"run_as", "services.*.user, services.*.group"},
    GatedFeature{"resources", "services.*.resources"},
    GatedFeature{"http_probe", "services.*.probes.*.http"},
    GatedFeature{"tcp_probe", "services.*.probes.*.tcp"},
    GatedFeature{"exec_probe", "services.*.probes.*.exec"},
    GatedFeature{"balance_least_conn", "upstreams.*.balance: least_conn"},
    GatedFeature{"balance_random_two", "upstreams.*.balance: random_two"},
    GatedFeature{"balance_hash", "upstreams.*.balance: hash"},
    GatedFeature{"balance_ip_hash", "upstreams.*.balance: ip_hash"},
    GatedFeature{"backup_servers", "upstreams.*.servers[].backup: true"},
    GatedFeature{"health_check", "upstreams.*.health_check"},
    GatedFeature{"slow_start", "upstreams.*.slow_start"},
    GatedFeature{"outlier", "upstreams.*.outlier"},
    GatedFeature{"upstream_tls", "upstreams.*.tls"},
    GatedFeature{"static", "routes[].static"},
    GatedFeature{"redirect", "routes[].redirect"},
    GatedFeature{"retry", "routes[].retry"},
    GatedFeature{"rate_limit", "routes[].rate_limit"},
    GatedFeature{"rate_limit_redis", "rate_limit.store, rate_limits.*.store"},
    GatedFeature{"cache", "routes[].cache"},
    GatedFeature{"headers", "listen[].headers, routes[].headers"},
    GatedFeature{"client_abort", "routes[].ignore_client_abort: true"},
    GatedFeature{"trace", "routes[].allow_trace: true"},
    GatedFeature{"compression", "compression, routes[].compression"},
    GatedFeature{"admin_token", "admin.token_file, admin.token_env"},
    GatedFeature{"alert_rules", "alerts.rules"},
    GatedFeature{"alertmanager", "alertmanager"},
    GatedFeature{"access_log", "access_log.enabled: true"},
};

}  // namespace

std::span<const GatedFeature> gated_features() {
  return kGatedFeatures;
}

std::vector<Diagnostic> unsupported_features(const Spec& spec,
                                             std::span<const std::string_view> supported) {
  std::vector<Diagnostic> out;
  for (const FeatureUse& use : spec.features) {
    if (std::find(supported.begin(), supported.end(), use.feature) != supported.end()) continue;
    out.push_back(Diagnostic{spec.source_file, use.pos.line, use.pos.column,
                             fmt::format("not yet supported: {}", use.key)});
  }
  return out;
}

}  // namespace flotilla::config
