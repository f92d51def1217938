// `flotilla top`'s header line (clock, request rate, error rate, p95) and the fitting of its
// screen to a terminal's width. Pure: the command brings the clock text and the documents.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "observe/top/top_screen.hpp"

namespace flotilla::observe {

struct TopTotals {
  std::optional<double> requests_per_second;
  std::optional<double> errors_per_second;  // 5xx answers
  std::optional<double> error_ratio;        // 5xx / all
  std::optional<double> p95_seconds;
};

// From the newest point of GET /api/v1/dashboard ({"points":[{"rate":[1xx..5xx per s],
// "errors","p95"}]}); without points, the rows' sums (no p95).
TopTotals top_totals(const nlohmann::json& dashboard, const std::vector<TopRow>& rows);

// "flotilla top  14:02:07  120.3 req/s  errors 0.4/s (0.3%)  p95 12.0 ms" ("-" for unknown).
std::string render_top_header(std::string_view clock, const TopTotals& totals);

// Every line cut to `columns` characters (0: unchanged).
std::string fit_to_width(std::string_view text, std::size_t columns);

}  // namespace flotilla::observe
