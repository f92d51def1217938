// The key catalogue: path patterns, and what a load records (the mappings it read, where).
#include "config/key_catalogue.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

TEST(KeyPattern, FoldsIndexesAndUserNames) {
  EXPECT_EQ(key_pattern(""), "");
  EXPECT_EQ(key_pattern("listen[2].tls"), "listen[].tls");
  EXPECT_EQ(key_pattern("services.web.probes.readiness"), "services.<name>.probes.readiness");
  EXPECT_EQ(key_pattern("upstreams.app.servers[0]"), "upstreams.<name>.servers[]");
  EXPECT_EQ(key_pattern("routes[10].cache"), "routes[].cache");
  EXPECT_EQ(key_pattern("cache_stores.pages.memory"), "cache_stores.<name>.memory");
  EXPECT_EQ(key_pattern("alerts.rules[1]"), "alerts.rules[]");
  // Only the top-level sections' children are names.
  EXPECT_EQ(key_pattern("admin.services"), "admin.services");
}

TEST(KeyCatalogue, ALoadRecordsTheMappingsItRead) {
  const LoadResult result = testing::load(R"(
services:
  web:
    command: "app --port $PORT"
    ports: 8000-8009
    restart: { policy: always }
  api:
    command: "api"
)");
  ASSERT_TRUE(result.ok());
  const KeyCatalogue& keys = result.keys;
  ASSERT_TRUE(keys.keys.count("services.<name>.restart"));
  EXPECT_TRUE(keys.keys.at("services.<name>.restart").count("max_delay"));
  const std::vector<std::string> all = keys.full_keys();
  EXPECT_TRUE(std::binary_search(all.begin(), all.end(), "services.<name>.restart.policy"));
  EXPECT_TRUE(std::binary_search(all.begin(), all.end(), "workers"));
  // Not read, so not declared: the catalogue is what the parser said, not a list by hand.
  EXPECT_FALSE(keys.keys.count("services.<name>.probes"));
  // The top level, the service mapping (both services: one site) and restart.
  EXPECT_EQ(keys.sites.size(), 3u);
  for (const std::string& site : keys.sites) EXPECT_NE(site.find(".cpp:"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::config
