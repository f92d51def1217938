// Formatting of numbers, times and JSON fields for the CLI's tables.
#include "app/human_format.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace flotilla::app {

std::string format_age(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return std::string(kNone);
  const auto total = static_cast<std::uint64_t>(seconds);
  const std::uint64_t days = total / 86400;
  const std::uint64_t hours = total % 86400 / 3600;
  const std::uint64_t minutes = total % 3600 / 60;
  const std::uint64_t secs = total % 60;
  if (days > 0) return hours > 0 ? fmt::format("{}d{}h", days, hours) : fmt::format("{}d", days);
  if (hours > 0) {
    return minutes > 0 ? fmt::format("{}h{}m", hours, minutes) : fmt::format("{}h", hours);
  }
  if (minutes > 0)
    return secs > 0 ? fmt::format("{}m{}s", minutes, secs) : fmt::format("{}m", minutes);
  return fmt::format("{}s", secs);
}

std::string format_bytes(double bytes) {
  if (!std::isfinite(bytes) || bytes < 0) return std::string(kNone);
  static constexpr std::string_view kUnits[] = {"Ki", "Mi", "Gi", "Ti"};
  if (bytes < 1024) return fmt::format("{}B", static_cast<std::uint64_t>(bytes));
  double value = bytes / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f}{}", value, kUnits[unit]);
}

std::string format_time(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_number()) return std::string(kNone);
  const auto seconds = static_cast<std::time_t>(value.get<double>());
  std::tm local{};
  if (::localtime_r(&seconds, &local) == nullptr) return std::string(kNone);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return std::string(text, n);
}

std::string field_text(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::string(kNone);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string(kNone);
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (it->is_number()) return fmt::format("{:.1f}", it->get<double>());
  return it->dump();
}

std::optional<double> field_number(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool field_true(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return false;
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string command_text(const nlohmann::json& command) {
  if (command.is_string()) return command.get<std::string>();
  if (!command.is_array()) return std::string(kNone);
  std::string text;
  for (const auto& word : command) {
    if (!text.empty()) text += ' ';
    text += word.is_string() ? word.get<std::string>() : word.dump();
  }
  return text;
}

}  // namespace flotilla::app
