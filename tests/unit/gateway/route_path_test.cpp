#include "gateway/route_path.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway {
namespace {

std::string normal(std::string_view path) {
  std::string scratch;
  return std::string(route_path(path, scratch));
}

TEST(RoutePath, NormalPathsAreReturnedAsTheyAre) {
  std::string scratch;
  const std::string_view path = "/api/v1/items/42";
  EXPECT_EQ(route_path(path, scratch).data(), path.data());  // a view, no copy
  EXPECT_EQ(normal("/"), "/");
  EXPECT_EQ(normal("*"), "*");
  EXPECT_EQ(normal("/a/b/"), "/a/b/");
  EXPECT_EQ(normal("/.well-known/x"), "/.well-known/x");
  EXPECT_EQ(normal("/a..b/c."), "/a..b/c.");
}

TEST(RoutePath, DotSegmentsAreResolved) {
  EXPECT_EQ(normal("/public/../admin"), "/admin");
  EXPECT_EQ(normal("/e/../api/hello"), "/api/hello");
  EXPECT_EQ(normal("/a/./b"), "/a/b");
  EXPECT_EQ(normal("/a/b/.."), "/a/");
  EXPECT_EQ(normal("/a/b/."), "/a/b/");
  EXPECT_EQ(normal("/a/.."), "/");
  EXPECT_EQ(normal("/../../etc/passwd"), "/etc/passwd");  // never above the root
  EXPECT_EQ(normal("/.."), "/");
}

TEST(RoutePath, SlashRunsAreMerged) {
  EXPECT_EQ(normal("//e/x"), "/e/x");
  EXPECT_EQ(normal("/a///b//"), "/a/b/");
  EXPECT_EQ(normal("//"), "/");
}

TEST(RoutePath, EscapesAreDecodedFirst) {
  EXPECT_EQ(normal("/%65/x"), "/e/x");
  EXPECT_EQ(normal("/a/%2e%2E/admin"), "/admin");
  EXPECT_EQ(normal("/a%2f..%2Fb"), "/b");
  EXPECT_EQ(normal("/100%/x%zz"), "/100%/x%zz");  // malformed escapes stay
  EXPECT_EQ(normal("/x%4"), "/x%4");
}

TEST(RoutePath, ScratchIsReused) {
  std::string scratch;
  EXPECT_EQ(route_path("/a//b", scratch), "/a/b");
  EXPECT_EQ(route_path("/c/../d", scratch), "/d");
}

}  // namespace
}  // namespace flotilla::gateway
