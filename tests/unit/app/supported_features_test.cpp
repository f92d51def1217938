#include "app/supported_features.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "config/feature_gate.hpp"

namespace flotilla::app {
namespace {

// A typo in the supported list would silently keep a built feature refused (or worse, never
// refuse an unbuilt one): every name must be one the config module records.
TEST(SupportedFeatures, AreAllGatedFeatureNames) {
  const auto gated = config::gated_features();
  for (const std::string_view name : kSupportedFeatures) {
    const bool known = std::any_of(gated.begin(), gated.end(),
                                   [&](const config::GatedFeature& f) { return f.name == name; });
    EXPECT_TRUE(known) << name;
  }
}

}  // namespace
}  // namespace flotilla::app
