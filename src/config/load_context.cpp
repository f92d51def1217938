// Collects everything one load produces besides the Spec.
#include "config/load_context.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace flotilla::config {

LoadContext::LoadContext(std::string file, std::filesystem::path base_dir, EnvLookup env)
    : file_(std::move(file)), base_dir_(std::move(base_dir)), env_(std::move(env)) {}

std::string_view LoadContext::source_line(int line) const {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = source_.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  if (line < 1 || start > source_.size()) return {};
  std::string_view text = source_.substr(start, source_.find('\n', start) - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

void LoadContext::error(SourcePos pos, std::string message) {
  diagnostics_.push_back(Diagnostic{file_, pos.line, pos.column, std::move(message)});
}

void LoadContext::use_feature(std::string_view feature, SourcePos pos, std::string key) {
  features_.push_back(FeatureUse{std::string(feature), std::move(key), pos});
}

void LoadContext::remember(const std::string& path, SourcePos pos) {
  positions_[path] = pos;
}

SourcePos LoadContext::position(const std::string& path) const {
  const auto it = positions_.find(path);
  return it == positions_.end() ? SourcePos{} : it->second;
}

bool LoadContext::has_invalid(std::string_view path) const {
  for (auto it = invalid_.lower_bound(path); it != invalid_.end() && it->starts_with(path); ++it) {
    const std::string_view rest = std::string_view(*it).substr(path.size());
    if (rest.empty() || rest.front() == '.' || rest.front() == '[') return true;
  }
  return false;
}

std::optional<std::string> LoadContext::scalar_text(const YAML::Node& value, SourcePos pos,
                                                    const std::string& path,
                                                    std::string_view expected) {
  if (!value.IsScalar()) {
    error(pos, fmt::format("{}: expected {}, got {}", path, expected, describe_node(value)));
    mark_invalid(path);
    return std::nullopt;
  }
  auto expanded = expand_env(value.Scalar(), env_);
  if (!expanded) {
    error(pos, fmt::format("{}: {}", path, expanded.error()));
    mark_invalid(path);
    return std::nullopt;
  }
  return std::move(expanded).value();
}

std::filesystem::path LoadContext::resolve(const std::string& path) const {
  return (base_dir_ / path).lexically_normal();
}

std::vector<Diagnostic> LoadContext::take_diagnostics() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                   });
  return std::move(diagnostics_);
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return fmt::format("'{}'", node.Scalar());
    default:
      return "an empty value";
  }
}

void LoadContext::declare_keys(std::string_view path, const std::vector<std::string_view>& keys,
                               std::string site) {
  auto& names = catalogue_.keys[key_pattern(path)];
  for (const std::string_view key : keys) names.emplace(key);
  catalogue_.sites.insert(std::move(site));
}

}  // namespace flotilla::config
