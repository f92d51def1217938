// The small part of Prometheus' Go templates that alert annotations use, read but never expanded:
// {{ $labels.NAME }}, {{ $value }} (also .Labels.NAME / .Value), the pipes humanize,
// humanizePercentage, humanizeDuration, and {{ printf "%.2f" $value }}. observe/alerts expands.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flotilla::promql {

enum class TemplatePipe { kNone, kHumanize, kHumanizePercentage, kHumanizeDuration };

// One `{{ ... }}` action that flotilla can expand.
struct TemplateAction {
  enum class Kind { kValue, kLabel, kPrintf };
  Kind kind = Kind::kValue;
  std::string_view label;  // kLabel: the label's name (a view into the action text)
  std::string format;      // kPrintf: a format with exactly one float conversion
  TemplatePipe pipe = TemplatePipe::kNone;  // only on kValue
};

// The text between `{{` and `}}`; nothing when it is outside the subset above.
std::optional<TemplateAction> parse_template_action(std::string_view action);

// Why `text` would not expand as written ("" when it would): an unclosed `{{`, or an action
// outside the subset above (a typo like `{{ $labels.route }` or `| humanise` would otherwise
// reach every notification verbatim, and break `promtool check rules` on the exported file).
std::string alert_template_problem(std::string_view text);

}  // namespace flotilla::promql
