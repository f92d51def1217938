#include "observe/exposition.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace flotilla::observe {
namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::histogram:
      return "histogram";
    case MetricType::gauge:
      break;
  }
  return "gauge";
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

void render_exposition(const MetricsView& view, std::string& out) {
  for (const MetricFamily& family : view) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    append_help_text(out, family.help);
    out += "\n# TYPE ";
    out += family.name;
    out += ' ';
    out += type_name(family.type);
    out += '\n';
    for (const Sample& sample : family.samples) {
      out += sample.name;
      if (!sample.labels.empty()) {
        out += '{';
        bool first = true;
        for (const auto& [name, value] : sample.labels) {
          if (!first) out += ',';
          first = false;
          out += name;
          out += "=\"";
          append_label_value(out, value);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      append_value(out, sample.value);
      out += '\n';
    }
  }
}

std::string render_exposition(const MetricsView& view) {
  std::string out;
  render_exposition(view, out);
  return out;
}

}  // namespace flotilla::observe
