// Suggestions for misspellings: close enough to help, never a wild guess.
#include "config/did_you_mean.hpp"

#include <gtest/gtest.h>

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kServiceKeys{"command", "replicas",  "ports", "probes",
                                                 "restart", "resources", "env",   "cwd"};

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("replicas", "replicas"), 0u);
  EXPECT_EQ(edit_distance("replcas", "replicas"), 1u);    // deletion
  EXPECT_EQ(edit_distance("repliicas", "replicas"), 1u);  // insertion
  EXPECT_EQ(edit_distance("replicaz", "replicas"), 1u);   // substitution
  EXPECT_EQ(edit_distance("repilcas", "replicas"), 1u);   // swap
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(DidYouMean, SuggestsTheClosestKeyWithinTwoEdits) {
  EXPECT_EQ(did_you_mean("replcas", kServiceKeys), " (did you mean 'replicas'?)");
  EXPECT_EQ(did_you_mean("commnad", kServiceKeys), " (did you mean 'command'?)");
  EXPECT_EQ(did_you_mean("prots", kServiceKeys), " (did you mean 'ports'?)");
  EXPECT_EQ(did_you_mean("resource", kServiceKeys), " (did you mean 'resources'?)");
  EXPECT_EQ(closest_match("probe", kServiceKeys), "probes");  // not "ports" (distance 3)
}

TEST(DidYouMean, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(did_you_mean("frobnicate", kServiceKeys), "");
  EXPECT_EQ(did_you_mean("replicas", kServiceKeys), "");  // an exact match is no typo
  EXPECT_EQ(did_you_mean("ev", std::vector<std::string_view>{"on"}), "");  // 2 edits of 2 letters
  EXPECT_EQ(did_you_mean("xyz", std::vector<std::string_view>{}), "");
}

TEST(DidYouMean, WorksOnOwnedNames) {
  const std::vector<std::string> upstreams{"app", "admin-api"};
  EXPECT_EQ(did_you_mean("ap", upstreams), " (did you mean 'app'?)");
  EXPECT_EQ(did_you_mean("admin_api", upstreams), " (did you mean 'admin-api'?)");
}

}  // namespace
}  // namespace flotilla::config
