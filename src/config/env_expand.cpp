// A single left-to-right scan; nesting only inside a default, bounded by the text's length.
#include "config/env_expand.hpp"

#include <array>
#include <cstdlib>

#include <fmt/format.h>

namespace flotilla::config {
namespace {

constexpr std::array<std::string_view, 2> kInstanceVariables{"PORT", "INSTANCE"};

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_instance_variable(std::string_view name) {
  for (std::string_view reserved : kInstanceVariables) {
    if (name == reserved) return true;
  }
  return false;
}

// Index of the '}' closing the "${" that starts at `open`, honouring nested "${...}".
std::size_t find_closing_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Expands the body of "${body}".
ParseResult<std::string> expand_braced(std::string_view body, const EnvLookup& env) {
  std::size_t name_end = 0;
  while (name_end < body.size() && is_name_char(body[name_end])) ++name_end;
  const std::string_view name = body.substr(0, name_end);
  const std::string_view operation = body.substr(name_end);
  if (name.empty() || !is_name_start(name.front()) ||
      (!operation.empty() && !operation.starts_with(":-"))) {
    return parse_error(
        fmt::format("invalid variable reference '${{{}}}' (use ${{NAME}} or "
                    "${{NAME:-default}})",
                    body));
  }
  const std::optional<std::string> value = env(name);
  if (operation.empty()) {
    if (!value) {
      return parse_error(fmt::format(
          "environment variable '{}' is not set (use ${{{}:-default}} to give a default)", name,
          name));
    }
    return *value;
  }
  if (value && !value->empty()) return *value;
  return expand_env(operation.substr(2), env);
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ParseResult<std::string> expand_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c != '$' || (next != '$' && next != '{')) {
      out += c;
      ++i;
      continue;
    }
    if (next == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const std::size_t close = find_closing_brace(text, i);
    if (close == std::string_view::npos) {
      return parse_error(fmt::format("unterminated '${{' in '{}' (missing '}}')", text));
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    std::size_t name_end = 0;
    while (name_end < body.size() && is_name_char(body[name_end])) ++name_end;
    if (is_instance_variable(body.substr(0, name_end))) {
      out += text.substr(i, close - i + 1);  // the supervisor fills these in per instance
    } else {
      auto expanded = expand_braced(body, env);
      if (!expanded) return expanded;
      out += expanded.value();
    }
    i = close + 1;
  }
  return out;
}

}  // namespace flotilla::config
