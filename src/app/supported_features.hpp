// The config features this build can run. `flotilla up` refuses any other gated feature with
// "not yet supported: KEY" instead of silently ignoring it; each capability that lands adds its
// names here (the catalogue is config/feature_gate.cpp).
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace flotilla::app {

inline constexpr std::array kSupportedFeatureList = {
    std::string_view{"listener_health"},
    std::string_view{"balance_least_conn"},
    std::string_view{"balance_random_two"},
    std::string_view{"balance_hash"},
    std::string_view{"balance_ip_hash"},
    std::string_view{"backup_servers"},
    std::string_view{"retry"},
    std::string_view{"slow_start"},
    std::string_view{"outlier"},
    std::string_view{"health_check"},
    std::string_view{"run_as"},
    std::string_view{"resources"},
    std::string_view{"autoscale"},
    std::string_view{"http_probe"},
    std::string_view{"tcp_probe"},
    std::string_view{"exec_probe"},
    std::string_view{"admin_token"},
    std::string_view{"alert_rules"},
    std::string_view{"alertmanager"},
    std::string_view{"access_log"},
    std::string_view{"tls"},
    std::string_view{"client_cert_verify"},
    std::string_view{"redirect_https"},
    std::string_view{"hsts"},
    std::string_view{"upstream_tls"},
    std::string_view{"redirect"},
    std::string_view{"headers"},
    std::string_view{"client_abort"},
    std::string_view{"http2"},
    std::string_view{"trace"},
    std::string_view{"compression"},
    std::string_view{"static"},
    std::string_view{"cache"},
    std::string_view{"rate_limit"},
};
inline constexpr std::span<const std::string_view> kSupportedFeatures{kSupportedFeatureList};

}  // namespace flotilla::app
