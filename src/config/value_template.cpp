// A single left-to-right scan over the text; variables are looked up in a fixed table.
#include "config/value_template.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace flotilla::config {
namespace {

// Indexed by Variable.
constexpr std::array<std::string_view, 5> kVariableNames{"scheme", "host", "remote_addr",
                                                         "request_id", "request_uri"};

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

void append_literal(std::vector<TemplatePart>& parts, std::string_view text) {
  if (text.empty()) return;
  if (!parts.empty() && !parts.back().variable) {
    parts.back().literal += text;
  } else {
    parts.push_back(TemplatePart{std::string(text), std::nullopt});
  }
}

std::string known_variables() {
  std::vector<std::string> names;
  for (std::string_view name : kVariableNames) names.push_back(fmt::format("${}", name));
  return fmt::format("{}", fmt::join(names, ", "));
}

// Whether `text` has a control character (a tab is fine when `allow_tab`).
bool has_control(std::string_view text, bool allow_tab) {
  return std::any_of(text.begin(), text.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !(allow_tab && c == '\t')) || u == 0x7f;
  });
}

}  // namespace

std::span<const std::string_view> variable_names() {
  return kVariableNames;
}

std::string_view variable_name(Variable variable) {
  return kVariableNames.at(static_cast<std::size_t>(variable));
}

ParseResult<ValueTemplate> parse_value_template(std::string_view text) {
  ValueTemplate out;
  out.text = std::string(text);
  std::size_t literal_start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || !is_name_start(text[i + 1])) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view name = text.substr(i + 1, end - i - 1);
    const auto known = std::find(kVariableNames.begin(), kVariableNames.end(), name);
    if (known == kVariableNames.end()) {
      return parse_error(
          fmt::format("unknown variable ${} in '{}'; known: {}", name, text, known_variables()));
    }
    append_literal(out.parts, text.substr(literal_start, i - literal_start));
    out.parts.push_back(TemplatePart{"", static_cast<Variable>(known - kVariableNames.begin())});
    i = end;
    literal_start = end;
  }
  append_literal(out.parts, text.substr(literal_start));
  return out;
}

ValueType<ValueTemplate> header_value_type() {
  return {"a header value", [](std::string_view text) -> ParseResult<ValueTemplate> {
            if (has_control(text, /*allow_tab=*/true)) {
              return parse_error(
                  "a header value must not contain line breaks or other control "
                  "characters");
            }
            return parse_value_template(text);
          }};
}

ValueType<ValueTemplate> redirect_target_type() {
  return {
      "a URL or path", [](std::string_view text) -> ParseResult<ValueTemplate> {
        if (text.empty()) return parse_error("must not be empty");
        if (has_control(text, /*allow_tab=*/false) || text.find(' ') != std::string_view::npos) {
          return parse_error(
              "must be a URL or path without spaces or control characters (percent-encode "
              "them)");
        }
        return parse_value_template(text);
      }};
}

}  // namespace flotilla::config
