// The scalar value types: thin adapters from units.hpp parsers to ValueType.
#include "config/value_types.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "config/did_you_mean.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

template <class T>
ValueType<T> bounded_integer(std::string_view expected, std::int64_t min, std::int64_t max) {
  return ValueType<T>{expected, [min, max](std::string_view text) -> ParseResult<T> {
                        const auto value = parse_integer(text, min, max);
                        if (!value) return ParseError{value.error()};
                        return static_cast<T>(*value);
                      }};
}

}  // namespace

ValueType<bool> bool_type() {
  return {"true or false", [](std::string_view text) -> ParseResult<bool> {
            if (text == "true" || text == "True" || text == "TRUE") return true;
            if (text == "false" || text == "False" || text == "FALSE") return false;
            return parse_error(fmt::format("expected true or false, got '{}'", text));
          }};
}

ValueType<std::string> string_type() {
  return {"a string", [](std::string_view text) -> ParseResult<std::string> {
            if (text.empty()) return parse_error("must not be empty");
            return std::string(text);
          }};
}

ValueType<std::string> url_path_type() {
  return {"a path such as /health", [](std::string_view text) -> ParseResult<std::string> {
            if (!text.starts_with('/')) {
              return parse_error(fmt::format("must start with '/', got '{}'", text));
            }
            if (text.find_first_of(" \t\r\n?#") != std::string_view::npos) {
              return parse_error(fmt::format("'{}' is not a plain URL path", text));
            }
            return std::string(text);
          }};
}

ValueType<std::uint32_t> count_type(std::uint32_t min, std::uint32_t max) {
  return bounded_integer<std::uint32_t>("an integer", min, max);
}

ValueType<std::uint16_t> port_type() {
  return bounded_integer<std::uint16_t>("a port", 1, 65535);
}

ValueType<int> http_status_type() {
  return bounded_integer<int>("an HTTP status", 100, 599);
}

ValueType<Duration> duration_type() {
  return {"a duration such as 30s", parse_duration};
}
ValueType<std::uint64_t> size_type() {
  return {"a size such as 512Mi", parse_size};
}
ValueType<Rate> rate_type() {
  return {"a rate such as 100/min", parse_rate};
}
ValueType<std::uint32_t> cpu_type() {
  return {"a CPU amount such as 500m", parse_cpu};
}
ValueType<double> percent_type() {
  return {"a percentage such as 70%", parse_percent};
}
ValueType<IntOrPercent> int_or_percent_type() {
  return {"a count or a percentage", parse_int_or_percent};
}
ValueType<Address> address_type() {
  return {"an address such as 127.0.0.1:8080", parse_address};
}
ValueType<PortRange> port_range_type() {
  return {"a port range such as 8000-8099", parse_port_range};
}

std::string unknown_choice(std::string_view text, const std::vector<std::string_view>& choices) {
  // "303" is not a typo of "301": only suggest for words.
  const bool word = std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(c); });
  return fmt::format("expected one of {}, got '{}'{}", fmt::join(choices, ", "), text,
                     word ? did_you_mean(text, choices) : std::string());
}

}  // namespace flotilla::config
