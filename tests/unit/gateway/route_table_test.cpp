#include "gateway/route_table.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway {
namespace {

RouteTable table() {
  return RouteTable({
      {"", "/"},                       // 0
      {"", "/api/"},                   // 1
      {"", "/api/v2/"},                // 2
      {"api.example.com", "/"},        // 3
      {"*.example.com", "/"},          // 4
      {"*.eu.example.com", "/"},       // 5
      {"api.example.com", "/admin/"},  // 6
      {"", "/api/"},                   // 7: same as 1, later in the file
  });
}

TEST(RouteTable, LongestPrefixWins) {
  const RouteTable t = table();
  EXPECT_EQ(t.match("other.test", "/"), 0u);
  EXPECT_EQ(t.match("other.test", "/index.html"), 0u);
  EXPECT_EQ(t.match("other.test", "/api/x"), 1u);
  EXPECT_EQ(t.match("other.test", "/api/v2/users"), 2u);
  EXPECT_EQ(t.match("other.test", "/api"), 0u);  // a prefix, not a directory match
}

TEST(RouteTable, ExactHostBeatsWildcardBeatsAny) {
  const RouteTable t = table();
  EXPECT_EQ(t.match("api.example.com", "/api/x"), 3u);
  EXPECT_EQ(t.match("API.Example.COM:8080", "/"), 3u);  // case-insensitive, port ignored
  EXPECT_EQ(t.match("www.example.com", "/api/x"), 4u);
  EXPECT_EQ(t.match("x.eu.example.com", "/"), 5u);  // the longer wildcard
  EXPECT_EQ(t.match("example.com", "/"), 0u);       // *.example.com needs a subdomain
  EXPECT_EQ(t.match("api.example.com", "/admin/users"), 6u);
}

TEST(RouteTable, FirstInFileWinsAmongEquals) {
  EXPECT_EQ(table().match("", "/api/x"), 1u);
}

TEST(RouteTable, NoMatch) {
  const RouteTable t({{"only.test", "/"}, {"", "/api/"}});
  EXPECT_EQ(t.match("other.test", "/"), RouteTable::kNoRoute);
  EXPECT_EQ(t.match("only.test", "/"), 0u);
  EXPECT_EQ(t.match("[::1]:80", "/api/a"), 1u);
}

}  // namespace
}  // namespace flotilla::gateway

namespace flotilla::gateway {
namespace {

TEST(RouteTable, TrailingDotOfAnAbsoluteHostIsIgnored) {
  const RouteTable t({{"ex.test", "/"}, {"*.wild.test", "/"}, {"", "/other/"}});
  EXPECT_EQ(t.match("ex.test.", "/"), 0u);
  EXPECT_EQ(t.match("EX.test.:8080", "/"), 0u);
  EXPECT_EQ(t.match("a.wild.test.", "/"), 1u);
  EXPECT_EQ(t.match(".", "/other/x"), 2u);
}

}  // namespace
}  // namespace flotilla::gateway
