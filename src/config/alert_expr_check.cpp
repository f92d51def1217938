#include "config/alert_expr_check.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "promql/parse_alert_expr.hpp"

namespace flotilla::config {
namespace {

// Inside "...": an escape takes two source characters for one value character.
std::optional<int> double_quoted_column(std::string_view rest, std::string_view value,
                                        std::size_t offset) {
  std::size_t i = 1;
  for (std::size_t v = 0; v < offset; ++v) {
    if (i >= rest.size() || rest[i] == '"') return std::nullopt;
    if (rest[i] == '\\') {
      if (i + 1 >= rest.size() ||
          std::string_view("xuU").find(rest[i + 1]) != std::string_view::npos) {
        return std::nullopt;
      }
      i += 2;
    } else {
      if (rest[i] != value[v]) return std::nullopt;
      ++i;
    }
  }
  return static_cast<int>(i);
}

// Inside '...': a quote is written twice.
std::optional<int> single_quoted_column(std::string_view rest, std::string_view value,
                                        std::size_t offset) {
  std::size_t i = 1;
  for (std::size_t v = 0; v < offset; ++v) {
    if (i >= rest.size()) return std::nullopt;
    if (rest[i] == '\'') {
      if (i + 1 >= rest.size() || rest[i + 1] != '\'') return std::nullopt;
      i += 2;
    } else {
      if (rest[i] != value[v]) return std::nullopt;
      ++i;
    }
  }
  return static_cast<int>(i);
}

}  // namespace

std::optional<SourcePos> scalar_offset_position(const LoadContext& ctx, SourcePos start,
                                                std::string_view value, std::size_t offset) {
  const std::string_view line = ctx.source_line(start.line);
  if (start.column < 1 || static_cast<std::size_t>(start.column) > line.size()) {
    return std::nullopt;
  }
  offset = std::min(offset, value.size());
  const std::string_view rest = line.substr(static_cast<std::size_t>(start.column) - 1);
  std::optional<int> column;
  if (rest.front() == '"') {
    column = double_quoted_column(rest, value, offset);
  } else if (rest.front() == '\'') {
    column = single_quoted_column(rest, value, offset);
  } else if (rest.front() == '|') {
    // A literal block: value line k is file line start.line + 1 + k, after the indentation.
    const std::string_view before = value.substr(0, offset);
    const std::size_t newlines =
        static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start =
        before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    const std::size_t line_end = value.find('\n', line_start);
    const std::string_view value_line = value.substr(line_start, line_end - line_start);
    const int file_line = start.line + 1 + static_cast<int>(newlines);
    const std::string_view source = ctx.source_line(file_line);
    const std::size_t at = source.rfind(value_line);
    if (value_line.empty() || at == std::string_view::npos) return std::nullopt;
    return SourcePos{file_line, static_cast<int>(at + offset - line_start) + 1};
  } else if (rest.front() != '>' && rest.substr(0, offset) == value.substr(0, offset)) {
    column = static_cast<int>(offset);
  }
  if (!column) return std::nullopt;
  return SourcePos{start.line, start.column + *column};
}

bool check_alert_expr(LoadContext& ctx, const Entry& entry, const std::string& expr) {
  const promql::ExprParseResult parsed = promql::parse_alert_expr(expr);
  if (parsed.ok()) return true;
  const std::optional<SourcePos> at =
      scalar_offset_position(ctx, entry.value_pos, expr, parsed.error_offset);
  if (at) {
    ctx.error(*at, fmt::format("{}: {}", entry.path, parsed.error));
  } else {
    ctx.error(entry.value_pos, fmt::format("{}: {} (at character {} of the expression)", entry.path,
                                           parsed.error, parsed.error_offset + 1));
  }
  ctx.mark_invalid(entry.path);
  return false;
}

}  // namespace flotilla::config
