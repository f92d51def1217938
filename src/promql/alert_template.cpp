#include "promql/alert_template.hpp"

#include <fmt/format.h>

namespace flotilla::promql {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// `printf "FORMAT" $value`: one float conversion only, so snprintf cannot read past its single
// argument when observe expands it.
std::optional<TemplateAction> parse_printf(std::string_view rest) {
  rest = trim(rest);
  if (rest.size() < 2 || rest.front() != '"') return std::nullopt;
  const std::size_t close = rest.find('"', 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string format(rest.substr(1, close - 1));
  const std::string_view argument = trim(rest.substr(close + 1));
  if (argument != "$value" && argument != ".Value") return std::nullopt;
  const std::size_t percent = format.find('%');
  if (percent == std::string::npos || format.find('%', percent + 1) != std::string::npos) {
    return std::nullopt;
  }
  const std::size_t conversion = format.find_first_of("fgeFGE", percent);
  if (conversion == std::string::npos ||
      format.find_first_not_of("0123456789.-+ #", percent + 1) != conversion) {
    return std::nullopt;
  }
  TemplateAction action;
  action.kind = TemplateAction::Kind::kPrintf;
  action.format = std::move(format);
  return action;
}

}  // namespace

std::optional<TemplateAction> parse_template_action(std::string_view text) {
  text = trim(text);
  std::string_view pipe;
  if (const std::size_t bar = text.find('|'); bar != std::string_view::npos) {
    pipe = trim(text.substr(bar + 1));
    text = trim(text.substr(0, bar));
  }
  if (text.starts_with("printf ")) {
    if (!pipe.empty()) return std::nullopt;
    return parse_printf(text.substr(7));
  }
  TemplateAction action;
  if (text == "$value" || text == ".Value") {
    action.kind = TemplateAction::Kind::kValue;
  } else if (text.starts_with("$labels.") || text.starts_with(".Labels.")) {
    action.kind = TemplateAction::Kind::kLabel;
    action.label = text.substr(text.find('.', 1) + 1);
    return pipe.empty() ? std::optional(action) : std::nullopt;  // pipes take numbers only
  } else {
    return std::nullopt;
  }
  if (pipe.empty()) return action;
  if (pipe == "humanize") {
    action.pipe = TemplatePipe::kHumanize;
  } else if (pipe == "humanizePercentage") {
    action.pipe = TemplatePipe::kHumanizePercentage;
  } else if (pipe == "humanizeDuration") {
    action.pipe = TemplatePipe::kHumanizeDuration;
  } else {
    return std::nullopt;
  }
  return action;
}

std::string alert_template_problem(std::string_view text) {
  for (std::size_t open = text.find("{{"); open != std::string_view::npos;
       open = text.find("{{", open + 2)) {
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return fmt::format("'{}' has a '{{{{' without its '}}}}'", text.substr(open));
    }
    const std::string_view action = text.substr(open + 2, close - open - 2);
    if (!parse_template_action(action)) {
      return fmt::format(
          "'{{{{{}}}}}' is not a template flotilla expands (use $labels.NAME, $value, $value | "
          "humanize / humanizePercentage / humanizeDuration, or printf \"%.2f\" $value)",
          action);
    }
    open = close;
  }
  return {};
}

}  // namespace flotilla::promql
