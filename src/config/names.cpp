// Naming rules shared by the sections: names become instance ids ("web/2"), metric labels,
// environment variables and Kubernetes object names, so they stay within those alphabets.
#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string check_object_name(std::string_view name) {
  constexpr std::size_t kMaxLength = 63;  // a DNS label, for exported Kubernetes names
  const bool ok = !name.empty() && name.size() <= kMaxLength && is_alnum(name.front()) &&
                  std::all_of(name.begin(), name.end(),
                              [](char c) { return is_alnum(c) || c == '-' || c == '_'; });
  if (ok) return {};
  return fmt::format(
      "invalid name '{}': use letters, digits, '-' and '_', starting with a "
      "letter or digit, at most {} characters",
      name, kMaxLength);
}

std::string check_env_name(std::string_view name) {
  const bool ok =
      !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
      std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_'; });
  if (ok) return {};
  return fmt::format("invalid environment variable name '{}'", name);
}

std::string check_header_name(std::string_view name) {
  // RFC 9110 token characters.
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return is_alnum(c) || kSymbols.find(c) != std::string_view::npos;
  });
  if (ok) return {};
  return fmt::format("invalid header name '{}'", name);
}

bool header_names_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string check_editable_header_name(std::string_view name) {
  // What the proxy writes itself to frame messages, or drops as hop-by-hop (RFC 9110 7.6.1).
  constexpr std::array<std::string_view, 8> kManaged{"Content-Length",   "Transfer-Encoding",
                                                     "Connection",       "Keep-Alive",
                                                     "Proxy-Connection", "TE",
                                                     "Trailer",          "Upgrade"};
  std::string problem = check_header_name(name);
  if (!problem.empty()) return problem;
  for (std::string_view managed : kManaged) {
    if (header_names_equal(name, managed)) {
      return fmt::format(
          "'{}' is managed by the proxy (message framing and hop-by-hop headers) and cannot be "
          "set, added or removed",
          name);
    }
  }
  return {};
}

ValueType<std::string> checked_name_type(std::string_view expected,
                                         std::string (*check)(std::string_view)) {
  return {expected, [check](std::string_view text) -> ParseResult<std::string> {
            std::string problem = check(text);
            if (!problem.empty()) return parse_error(std::move(problem));
            return std::string(text);
          }};
}

void for_each_named(LoadContext& ctx, const Entry& entry,
                    const std::function<void(const Entry& named)>& parse) {
  const auto entries = mapping_entries(ctx, entry);
  if (!entries) return;
  for (const Entry& named : *entries) {
    const std::string problem = check_object_name(named.name);
    if (!problem.empty()) ctx.error(named.key_pos, fmt::format("{}: {}", entry.path, problem));
    parse(named);
  }
}

ValueType<Duration> positive_duration_type() {
  ValueType<Duration> type = duration_type();
  return {type.expected, [parse = type.parse](std::string_view text) -> ParseResult<Duration> {
            auto value = parse(text);
            if (value && value->count() == 0) return parse_error("must be greater than 0");
            return value;
          }};
}

}  // namespace flotilla::config
