// Renders a MetricsView in the Prometheus text exposition format 0.0.4: HELP and TYPE lines per
// family, escaped label values and help text, Go-style special values (+Inf, -Inf, NaN). Pure
// formatting; the view must already hold cumulative buckets with an `le="+Inf"` one.
#pragma once

#include <string>
#include <string_view>

#include "observe/sample.hpp"

namespace flotilla::observe {

// The Content-Type a /metrics response carries.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Appends the exposition of `view` to `out`.
void render_exposition(const MetricsView& view, std::string& out);
std::string render_exposition(const MetricsView& view);

// Exposed for tests: `\` `"` and newline escaped as the format requires in label values.
void append_label_value(std::string& out, std::string_view value);
// `\` and newline escaped, as in HELP text.
void append_help_text(std::string& out, std::string_view text);
// A sample value: shortest round-trip decimal, or +Inf / -Inf / NaN.
void append_value(std::string& out, double value);

}  // namespace flotilla::observe
