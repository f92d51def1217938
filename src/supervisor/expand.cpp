// Expansion of $PORT / $INSTANCE per instance; every other '$' is copied as is (a shell command's
// own variables reach the shell untouched).
#include "supervisor/expand.hpp"

#include <array>

namespace flotilla::supervisor {
namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<std::string> value_of(std::string_view name, const InstanceVariables& vars) {
  if (name == "PORT") {
    if (!vars.port) return std::nullopt;
    return std::to_string(*vars.port);
  }
  if (name == "INSTANCE") return std::to_string(vars.index);
  return std::nullopt;
}

bool known(std::string_view name) {
  return name == "PORT" || name == "INSTANCE";
}

}  // namespace

std::string expand_instance_variables(std::string_view text, const InstanceVariables& vars) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '{') {
      const std::size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += text.substr(i);
        break;
      }
      const std::string_view body = text.substr(i + 2, close - i - 2);
      const std::size_t dash = body.find(":-");
      const std::string_view name = body.substr(0, dash);
      if (!known(name)) {
        out += text.substr(i, close - i + 1);
      } else if (std::optional<std::string> value = value_of(name, vars);
                 value && !value->empty()) {
        out += *value;
      } else if (dash != std::string_view::npos) {
        out += body.substr(dash + 2);
      }
      i = close + 1;
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view name = text.substr(i + 1, end - i - 1);
    if (known(name)) {
      out += value_of(name, vars).value_or("");
    } else {
      out += text.substr(i, end - i);
    }
    i = end;
  }
  return out;
}

}  // namespace flotilla::supervisor
