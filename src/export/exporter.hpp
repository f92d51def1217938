// `flotilla export KIND`: the spec rendered for another platform. One exporter per file, chosen
// by name; each is a pure function of the Spec producing one file's text. Writing to stdout or
// to `-o DIR` is the CLI's job (app/export_command.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::exporters {

struct Exporter {
  std::string_view kind;       // as typed: "prometheus-rules"
  std::string_view file_name;  // written under -o DIR: "prometheus-rules.yml"
  std::string (*render)(const config::Spec& spec);
};

// The exporter for `kind`, or nothing when this build has none (k8s, nginx today; systemd
// writes several files: render_systemd_units).
std::optional<Exporter> find_exporter(std::string_view kind);

// prometheus_rules.cpp: a Prometheus rule file with the rules flotilla evaluates.
std::string render_prometheus_rules(const config::Spec& spec);
// grafana_dashboard.cpp: a Grafana dashboard over flotilla's metrics.
std::string render_grafana_dashboard(const config::Spec& spec);

struct ExportFile {
  std::string name;  // "flotilla.service"
  std::string text;
};

// Where flotilla's own unit finds things (absolute paths).
struct SystemdTarget {
  std::string binary;       // the flotilla executable
  std::string config;       // the flotilla.yaml it runs
  std::string working_dir;  // the config's directory
};

// systemd_units.cpp: flotilla.service (Type=notify, watchdog, reload, hardening) and a template
// unit per service (`web@.service`).
std::vector<ExportFile> render_systemd_units(const config::Spec& spec, const SystemdTarget& target);

}  // namespace flotilla::exporters
