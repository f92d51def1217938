// The four built-in alert rules (the seed's Prometheus rules) with windows from the config, and
// the full rule list flotilla evaluates and exports. Rules come out as config::AlertRule, the
// same shape as user rules, so everything downstream treats them alike.
#pragma once

#include <vector>

#include "config/spec.hpp"

namespace flotilla::observe {

// HighErrorRate, HighResponseTime, InstanceCrashLooping, HighMemoryUsage,
// CertificateRenewalFailing.
std::vector<config::AlertRule> default_alert_rules(const config::DefaultAlertRules& tuning);

// The built-in rules when alerts.defaults is on, then the user's rules in file order.
std::vector<config::AlertRule> effective_alert_rules(const config::Alerts& alerts);

}  // namespace flotilla::observe
