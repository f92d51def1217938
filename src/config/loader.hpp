// The config module's entry point. src/config owns flotilla's one YAML file: it parses the
// whole schema into the plain structs of spec.hpp (defaults filled in, relative paths made
// absolute, ${VAR} expanded), strictly — unknown keys, bad values, dangling references and
// colliding addresses are all reported at once as FILE:LINE:COL: message, in file order.
// It never starts anything, opens sockets or reads files other than the config itself:
// turning the Spec into processes and listeners is the supervisor's and gateway's job.
// Which features a build can run is feature_gate.hpp's concern.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/env_expand.hpp"
#include "config/key_catalogue.hpp"
#include "config/spec.hpp"

namespace flotilla::config {

struct LoadResult {
  std::optional<Spec> spec;        // set only when there are no errors
  std::vector<Diagnostic> errors;  // in file order
  KeyCatalogue keys;               // the mappings the parser read and the keys each accepts
  bool ok() const { return spec.has_value() && errors.empty(); }
};

// Reads and loads `path`. Diagnostics name the file as given; relative paths inside the file
// resolve against its directory.
LoadResult load_file(const std::filesystem::path& path,
                     const EnvLookup& env = process_environment());

// Loads YAML text; `file_name` is used in diagnostics, `base_dir` for relative paths.
LoadResult load_string(std::string_view yaml, const std::string& file_name,
                       const std::filesystem::path& base_dir, const EnvLookup& env);

}  // namespace flotilla::config
