// Validates `alerts.rules[].expr` with promql/'s parser (the one the alert engine runs) and
// reports a bad one at the exact line and column inside the YAML scalar (plain, quoted or `|`
// block). Parsing only: the config module never evaluates an expression.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/load_context.hpp"
#include "config/node_reader.hpp"

namespace flotilla::config {

// Reports "PATH: message" and returns false when `expr` (the value of `entry`) does not parse.
bool check_alert_expr(LoadContext& ctx, const Entry& entry, const std::string& expr);

// Where byte `offset` of a scalar's `value` sits in the file, given the scalar starts at `start`;
// nothing when the source cannot be mapped (the value came from ${VAR} expansion, a folded `>`
// scalar, an escape like \u00e9).
std::optional<SourcePos> scalar_offset_position(const LoadContext& ctx, SourcePos start,
                                                std::string_view value, std::size_t offset);

}  // namespace flotilla::config
