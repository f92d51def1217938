// Small formatters for the CLI's human output: ages, byte sizes, timestamps and JSON fields
// that may be missing or null (shown as "-"). Pure functions; must never print.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flotilla::app {

inline constexpr std::string_view kNone = "-";

// 45 → "45s", 123 → "2m3s", 3720 → "1h2m", 93600 → "1d2h" (two units at most, like kubectl).
std::string format_age(double seconds);
// 512 → "512B", 1536 → "1.5Ki", 12.3 MiB → "12.3Mi" (powers of 1024, one decimal).
std::string format_bytes(double bytes);
// A timestamp as the server sent it: a string verbatim, a number as Unix seconds rendered in
// local time ("2024-05-01 12:00:01"), "-" otherwise.
std::string format_time(const nlohmann::json& value);
// The field as text: "-" when missing or null, strings verbatim, integers in decimal, other
// numbers with one decimal, booleans "yes"/"no", anything else as compact JSON.
std::string field_text(const nlohmann::json& object, std::string_view key);
// The field when it is a number, else nullopt.
std::optional<double> field_number(const nlohmann::json& object, std::string_view key);
// True only when the field is the boolean true.
bool field_true(const nlohmann::json& object, std::string_view key);
// A command as a string or an argv list → one line.
std::string command_text(const nlohmann::json& command);

}  // namespace flotilla::app
