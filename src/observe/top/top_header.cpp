// The header of `flotilla top`: totals from the dashboard's newest history point.
#include "observe/top/top_header.hpp"

#include "observe/top/top_screen.hpp"

#include <fmt/format.h>

namespace flotilla::observe {
namespace {

std::string latency_text(double seconds) {
  return seconds < 1.0 ? fmt::format("{:.1f} ms", seconds * 1000)
                       : fmt::format("{:.2f} s", seconds);
}

}  // namespace

TopTotals top_totals(const nlohmann::json& dashboard, const std::vector<TopRow>& rows) {
  TopTotals totals;
  const auto points = dashboard.is_object() ? dashboard.find("points") : dashboard.end();
  if (points != dashboard.end() && points->is_array() && !points->empty()) {
    const nlohmann::json& last = points->back();
    if (last.contains("rate") && last["rate"].is_array()) {
      double all = 0;
      for (const nlohmann::json& rate : last["rate"]) {
        if (rate.is_number()) all += rate.get<double>();
      }
      totals.requests_per_second = all;
      const nlohmann::json& classes = last["rate"];
      if (classes.size() == 5 && classes[4].is_number()) {
        totals.errors_per_second = classes[4].get<double>();
      }
    }
    totals.error_ratio = json_number(last, "errors");
    totals.p95_seconds = json_number(last, "p95");
    return totals;
  }
  for (const TopRow& row : rows) {
    if (row.requests_per_second) {
      totals.requests_per_second =
          totals.requests_per_second.value_or(0) + *row.requests_per_second;
    }
    if (row.errors_per_second) {
      totals.errors_per_second = totals.errors_per_second.value_or(0) + *row.errors_per_second;
    }
  }
  return totals;
}

std::string render_top_header(std::string_view clock, const TopTotals& totals) {
  const std::string rate = totals.requests_per_second
                               ? fmt::format("{:.1f} req/s", *totals.requests_per_second)
                               : std::string("- req/s");
  std::string errors = totals.errors_per_second
                           ? fmt::format("errors {:.1f}/s", *totals.errors_per_second)
                           : std::string("errors -");
  if (totals.error_ratio) errors += fmt::format(" ({:.1f}%)", *totals.error_ratio * 100);
  const std::string p95 =
      totals.p95_seconds ? "p95 " + latency_text(*totals.p95_seconds) : std::string("p95 -");
  return fmt::format("flotilla top  {}  {}  {}  {}\n", clock, rate, errors, p95);
}

std::string fit_to_width(std::string_view text, std::size_t columns) {
  if (columns == 0) return std::string(text);
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    out += text.substr(start, std::min(end - start, columns));
    if (has_newline) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace flotilla::observe
