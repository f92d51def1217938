// Turns the file's text into its one YAML document, shielding the loader from yaml-cpp 0.7's
// quirks: its exceptions, and streams it cannot get past (LoadAll on ", a" allocates forever).
// Knows nothing of flotilla's schema.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/values.hpp"

namespace flotilla::config {

struct YamlDocument {
  YAML::Node root;      // Null when the text has no document at all
  std::string error;    // a syntax error, or a second document; empty when fine
  SourcePos error_pos;  // where `error` is, when known
  bool ok() const { return error.empty(); }
};

YamlDocument read_yaml_document(std::string_view text);

// yaml-cpp's 0-based mark as a 1-based position; {} for a null mark.
SourcePos to_pos(const YAML::Mark& mark);

}  // namespace flotilla::config
