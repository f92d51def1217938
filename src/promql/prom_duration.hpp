// Prometheus duration text ("5m", "1h30m", "250ms"): read in range selectors, written into
// generated expressions and rule files. Standard library only (part of the expression parser).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::promql {

// Milliseconds, or nothing when `text` is not a valid Prometheus duration. Units y w d h m s ms,
// each at most once and from largest to smallest, as Prometheus' model.ParseDuration requires.
std::optional<std::int64_t> parse_prom_duration(std::string_view text);

// The shortest Prometheus spelling: 300000 → "5m", 90000 → "1m30s", 0 → "0s".
std::string format_prom_duration(std::int64_t ms);

}  // namespace flotilla::promql
