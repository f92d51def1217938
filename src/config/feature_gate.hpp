// Features the config can describe but a build may not run yet. The config module records every
// use of a gated feature (Spec::features); `flotilla up` passes the names it supports and
// refuses the rest with "FILE:LINE:COL: not yet supported: KEY" instead of ignoring them.
// To ship a feature, add its name to the CLI's supported list; nothing here changes.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/spec.hpp"

namespace flotilla::config {

struct GatedFeature {
  std::string_view name;  // what the CLI lists as supported, e.g. "tls"
  std::string_view keys;  // where it is written, for people: "listen[].tls"
};

// Every gated feature name the loader may record, in a stable order.
std::span<const GatedFeature> gated_features();

// One diagnostic per use of a feature that is not in `supported`, in file order. Unknown names
// in `supported` are ignored.
std::vector<Diagnostic> unsupported_features(const Spec& spec,
                                             std::span<const std::string_view> supported);

}  // namespace flotilla::config
