// `flotilla export KIND`: the spec rendered for another platform. One exporter per file, chosen
// by name; each is a pure function of the Spec producing one file's text. Writing to stdout or
// to `-o DIR` is the CLI's job (app/export_command.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/spec.hpp"

namespace flotilla::exporters {

struct Exporter {
  std::string_view kind;       // as typed: "prometheus-rules"
  std::string_view file_name;  // written under -o DIR: "prometheus-rules.yml"
  std::string (*render)(const config::Spec& spec);
};

// The exporter for `kind`, or nothing when this build has none (k8s, systemd, nginx today).
std::optional<Exporter> find_exporter(std::string_view kind);

// prometheus_rules.cpp: a Prometheus rule file with the rules flotilla evaluates.
std::string render_prometheus_rules(const config::Spec& spec);
// grafana_dashboard.cpp: a Grafana dashboard over flotilla's metrics.
std::string render_grafana_dashboard(const config::Spec& spec);

}  // namespace flotilla::exporters
