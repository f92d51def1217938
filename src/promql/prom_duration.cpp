#include "promql/prom_duration.hpp"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace flotilla::promql {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Largest first; "ms" before "m" so the longer suffix wins when reading.
constexpr std::array<Unit, 7> kUnits{{{"y", 365LL * 24 * 3600 * 1000},
                                      {"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"m", 60LL * 1000},
                                      {"s", 1000},
                                      {"ms", 1}}};

}  // namespace

std::optional<std::int64_t> parse_prom_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // units must come in kUnits order, each once
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    std::int64_t number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (number > std::numeric_limits<std::int64_t>::max() / 10 - 9) return std::nullopt;
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    std::size_t unit_end = i;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    const std::string_view unit = text.substr(i, unit_end - i);
    std::size_t found = kUnits.size();
    for (std::size_t u = next_unit; u < kUnits.size(); ++u) {
      if (kUnits[u].name == unit) found = u;
    }
    if (found == kUnits.size()) return std::nullopt;
    if (number > std::numeric_limits<std::int64_t>::max() / kUnits[found].ms) return std::nullopt;
    total += number * kUnits[found].ms;
    next_unit = found + 1;
    i = unit_end;
  }
  return total;
}

std::string format_prom_duration(std::int64_t ms) {
  if (ms <= 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms);
      out += unit.name;
      ms %= unit.ms;
    }
  }
  return out;
}

}  // namespace flotilla::promql
