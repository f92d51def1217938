// State shared by the section parsers while one file loads: collected diagnostics, feature
// uses, positions of values (for cross-reference checks), the environment and the base dir.
// Internal to the config module; it never decides what a value means.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostic.hpp"
#include "config/env_expand.hpp"
#include "config/key_catalogue.hpp"
#include "config/spec.hpp"
#include "config/yaml_document.hpp"

namespace flotilla::config {

class LoadContext {
 public:
  LoadContext(std::string file, std::filesystem::path base_dir, EnvLookup env);

  const std::string& file() const { return file_; }

  // The file's text, kept to point into scalars (e.g. at a bad alert expression's column).
  // `text` must outlive the load.
  void set_source(std::string_view text) { source_ = text; }
  // Line `line` (1-based) without its line break; empty when out of range.
  std::string_view source_line(int line) const;
  const std::filesystem::path& base_dir() const { return base_dir_; }

  void error(SourcePos pos, std::string message);
  void use_feature(std::string_view feature, SourcePos pos, std::string key);

  // Where the value at `path` ("services.web.ports") was written; {} when it was absent.
  void remember(const std::string& path, SourcePos pos);
  SourcePos position(const std::string& path) const;

  // Values that failed to parse, so cross-checks can skip what they depend on.
  void mark_invalid(const std::string& path) { invalid_.insert(path); }
  // True when `path` itself failed (e.g. "services" was not a mapping).
  bool is_invalid(std::string_view path) const { return invalid_.find(path) != invalid_.end(); }
  // True when `path` or anything below it ("routes[1]" covers "routes[1].match.path") failed.
  bool has_invalid(std::string_view path) const;

  // The text of a scalar after ${VAR} expansion. A non-scalar, an empty value or a failed
  // expansion is reported as "PATH: ..." and yields nothing. `expected` names what should be
  // there ("a duration"); `pos` is where to report (the key's position for empty values).
  std::optional<std::string> scalar_text(const YAML::Node& value, SourcePos pos,
                                         const std::string& path, std::string_view expected);

  // Relative paths are taken from the config file's directory.
  std::filesystem::path resolve(const std::string& path) const;

  bool has_errors() const { return !diagnostics_.empty(); }
  // Diagnostics in file order (stable for equal positions).
  std::vector<Diagnostic> take_diagnostics();
  std::vector<FeatureUse> take_features() { return std::move(features_); }

  // A mapping at `path` read with these valid keys, declared at `site` in the parser.
  void declare_keys(std::string_view path, const std::vector<std::string_view>& keys,
                    std::string site);
  KeyCatalogue take_catalogue() { return std::move(catalogue_); }

 private:
  std::string file_;
  std::string_view source_;
  std::filesystem::path base_dir_;
  EnvLookup env_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<FeatureUse> features_;
  std::map<std::string, SourcePos, std::less<>> positions_;
  std::set<std::string, std::less<>> invalid_;
  KeyCatalogue catalogue_;
};

// "a list", "a mapping", "an empty value" or "'text'": what was found instead.
std::string describe_node(const YAML::Node& node);

}  // namespace flotilla::config
