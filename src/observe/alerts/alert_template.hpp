// Expands alert annotation templates (the subset promql/alert_template.hpp reads: $labels.NAME,
// $value, humanize pipes, printf) with one alert's labels and value. Anything else is left as
// written, so a template never fails an evaluation. Pure string work.
#pragma once

#include <string>
#include <string_view>

#include "observe/sample.hpp"

namespace flotilla::observe {

std::string expand_alert_template(std::string_view text, const Labels& labels, double value);

// $value as Go's %v prints a float64: shortest round-trip form ("0.35", "1e+06", "NaN", "+Inf").
std::string format_go_float(double value);

}  // namespace flotilla::observe
