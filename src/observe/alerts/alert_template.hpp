// The small part of Prometheus' Go templates that alert annotations use: {{ $labels.NAME }},
// {{ $value }} (also .Labels.NAME / .Value), the pipes humanize, humanizePercentage,
// humanizeDuration, and {{ printf "%.2f" $value }}. Anything else is left as written, so a
// template never fails an evaluation. Pure string work.
#pragma once

#include <string>
#include <string_view>

#include "observe/sample.hpp"

namespace flotilla::observe {

std::string expand_alert_template(std::string_view text, const Labels& labels, double value);

// Why `text` would not expand as written ("" when it would): an unclosed `{{`, or an action
// outside the subset above (a typo like `{{ $labels.route }` or `| humanise` would otherwise
// reach every notification verbatim, and break `promtool check rules` on the exported file).
std::string alert_template_problem(std::string_view text);

// $value as Go's %v prints a float64: shortest round-trip form ("0.35", "1e+06", "NaN", "+Inf").
std::string format_go_float(double value);

}  // namespace flotilla::observe
