// How one scalar config value is read: what is expected (for type errors) and how its text
// parses. The section parsers pick one of these per key instead of repeating conversions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/parse_result.hpp"
#include "config/values.hpp"

namespace flotilla::config {

template <class T>
struct ValueType {
  std::string_view expected;  // "a duration": completes "expected a duration, got a list"
  std::function<ParseResult<T>(std::string_view)> parse;
};

ValueType<bool> bool_type();
ValueType<std::string> string_type();    // any non-empty text
ValueType<std::string> url_path_type();  // starts with '/'
ValueType<std::uint32_t> count_type(std::uint32_t min, std::uint32_t max);
ValueType<std::uint16_t> port_type();  // 1-65535
ValueType<int> http_status_type();     // 100-599
ValueType<Duration> duration_type();
ValueType<std::uint64_t> size_type();
ValueType<Rate> rate_type();
ValueType<std::uint32_t> cpu_type();
ValueType<double> percent_type();
ValueType<IntOrPercent> int_or_percent_type();
ValueType<Address> address_type();
ValueType<PortRange> port_range_type();

// "expected one of a, b, c, got 'x' (did you mean 'b'?)"
std::string unknown_choice(std::string_view text, const std::vector<std::string_view>& choices);

// One of a fixed set of words, e.g. {{"always", RestartPolicy::always}, ...}.
template <class E>
ValueType<E> enum_type(std::string_view expected,
                       std::vector<std::pair<std::string_view, E>> choices) {
  return ValueType<E>{expected,
                      [choices = std::move(choices)](std::string_view text) -> ParseResult<E> {
                        std::vector<std::string_view> names;
                        for (const auto& [name, value] : choices) {
                          if (name == text) return value;
                          names.push_back(name);
                        }
                        return parse_error(unknown_choice(text, names));
                      }};
}

}  // namespace flotilla::config
