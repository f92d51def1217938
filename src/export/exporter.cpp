#include "export/exporter.hpp"

#include <array>

namespace flotilla::exporters {

std::optional<Exporter> find_exporter(std::string_view kind) {
  static constexpr std::array kExporters{
      Exporter{"prometheus-rules", "prometheus-rules.yml", &render_prometheus_rules},
      Exporter{"grafana", "grafana-dashboard.json", &render_grafana_dashboard},
  };
  for (const Exporter& exporter : kExporters) {
    if (exporter.kind == kind) return exporter;
  }
  return std::nullopt;
}

}  // namespace flotilla::exporters
