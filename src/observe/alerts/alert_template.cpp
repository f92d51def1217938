#include "observe/alerts/alert_template.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "observe/alerts/label_set.hpp"
#include "promql/alert_template.hpp"

namespace flotilla::observe {
namespace {

// Prometheus' humanize: SI prefixes, 4 significant digits.
std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return fmt::format("{:.4g}", v);
  constexpr std::array<const char*, 8> kBig{"k", "M", "G", "T", "P", "E", "Z", "Y"};
  constexpr std::array<const char*, 8> kSmall{"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  if (std::fabs(v) >= 1) {
    for (std::size_t i = 0; i < kBig.size() && std::fabs(v) >= 1000; ++i) {
      v /= 1000;
      prefix = kBig[i];
    }
  } else {
    for (std::size_t i = 0; i < kSmall.size() && std::fabs(v) < 1; ++i) {
      v *= 1000;
      prefix = kSmall[i];
    }
  }
  return fmt::format("{:.4g}{}", v, prefix);
}

std::string humanize_duration(double seconds) {
  if (std::isnan(seconds) || std::isinf(seconds)) return fmt::format("{:.4g}", seconds);
  if (std::fabs(seconds) < 1) return humanize(seconds) + "s";
  std::string sign = seconds < 0 ? "-" : "";
  auto total = static_cast<long long>(std::fabs(seconds));
  const long long days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60;
  const long long secs = total % 60;
  if (days > 0) return fmt::format("{}{}d {}h {}m {}s", sign, days, hours, minutes, secs);
  if (hours > 0) return fmt::format("{}{}h {}m {}s", sign, hours, minutes, secs);
  if (minutes > 0) return fmt::format("{}{}m {}s", sign, minutes, secs);
  return fmt::format("{}{:.4g}s", sign, std::fabs(seconds));
}

// One `{{ ... }}` action, or nothing when it is outside the supported subset.
std::optional<std::string> expand_action(std::string_view text, const Labels& labels,
                                         double value) {
  const std::optional<promql::TemplateAction> action = promql::parse_template_action(text);
  if (!action) return std::nullopt;
  switch (action->kind) {
    case promql::TemplateAction::Kind::kPrintf: {
      std::array<char, 128> out{};
      std::snprintf(out.data(), out.size(), action->format.c_str(), value);
      return std::string(out.data());
    }
    case promql::TemplateAction::Kind::kLabel: {
      const std::string* label = find_label(labels, action->label);
      return label != nullptr ? *label : "";  // Go prints <no value>; empty reads better in mail
    }
    case promql::TemplateAction::Kind::kValue:
      break;
  }
  switch (action->pipe) {
    case promql::TemplatePipe::kNone:
      return format_go_float(value);
    case promql::TemplatePipe::kHumanize:
      return humanize(value);
    case promql::TemplatePipe::kHumanizePercentage:
      return fmt::format("{:.4g}%", value * 100);
    case promql::TemplatePipe::kHumanizeDuration:
      return humanize_duration(value);
  }
  return std::nullopt;
}

}  // namespace

std::string format_go_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Go's %v is strconv's shortest 'g': exponent form when the decimal exponent is < -4 or >= 6.
  const double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-4)) {
    std::string text;
    for (int precision = 0; precision < 17; ++precision) {  // the shortest that round-trips
      text = fmt::format("{:.{}e}", value, precision);
      if (std::strtod(text.c_str(), nullptr) == value) break;
    }
    return text;
  }
  return fmt::format("{}", value);
}

std::string expand_alert_template(std::string_view text, const Labels& labels, double value) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    const std::string_view action = text.substr(open + 2, close - open - 2);
    const auto expanded = expand_action(action, labels, value);
    out += expanded ? *expanded : std::string(text.substr(open, close + 2 - open));
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace flotilla::observe
