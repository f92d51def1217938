// The path rules of a static route, as a table: what is served (and as which name), what is a
// 400 (malformed or hostile) and what is a 404 (hidden or outside the prefix).
#include "gateway/static_files/static_path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flotilla::gateway::files {
namespace {

struct PathCase {
  const char* raw;
  PathVerdict verdict;
  const char* relative = "";
};

StaticPath resolve_path(std::string_view raw, std::string& scratch, bool hidden = false,
                        std::string_view prefix = "/static/") {
  return resolve_static_path(raw, prefix, hidden, scratch);
}

TEST(StaticPath, ServedNames) {
  const PathCase cases[] = {
      {"/static/a.css", PathVerdict::kFile, "a.css"},
      {"/static/js/app.js", PathVerdict::kFile, "js/app.js"},
      {"/static//js///app.js", PathVerdict::kFile, "js/app.js"},
      {"/static/a%20b.txt", PathVerdict::kFile, "a b.txt"},
      {"/static/a%2e%2e.txt", PathVerdict::kFile, "a...txt"},
      {"/static/%252e%252e/x", PathVerdict::kFile, "%2e%2e/x"},  // decoded once only
      {"/static/caf%C3%A9", PathVerdict::kFile, "caf\xC3\xA9"},
      {"/static/", PathVerdict::kFile, ""},
      {"/static", PathVerdict::kFile, ""},
      {"/static/a..b", PathVerdict::kFile, "a..b"},
  };
  for (const PathCase& c : cases) {
    std::string scratch;
    const StaticPath path = resolve_path(c.raw, scratch);
    EXPECT_EQ(path.verdict, c.verdict) << c.raw;
    EXPECT_EQ(path.relative, c.relative) << c.raw;
  }
}

TEST(StaticPath, HostileOrMalformedPathsAreBadRequests) {
  const char* cases[] = {
      "/static/../etc/passwd",
      "/static/./a",
      "/static/a/..",
      "/static/%2e%2e/secret",
      "/static/%2E%2E/secret",
      "/static/.%2e/secret",
      "/static/%2e./secret",
      "/static/..%2fsecret",
      "/static/%2fetc%2fpasswd",
      "/static/a%5c..%5csecret",
      "/static/a\\..\\secret",
      "/static/a%00.txt",
      "/static/%c0%ae%c0%ae/secret",   // overlong '.'
      "/static/%e0%80%ae%e0%80%ae/x",  // overlong in three bytes
      "/static/%c0%af",                // overlong '/'
      "/static/%ed%a0%80",             // a surrogate
      "/static/%ff",
      "/static/%",
      "/static/%2",
      "/static/%zz",
      "relative",
      "",
  };
  for (const char* raw : cases) {
    std::string scratch;
    EXPECT_EQ(resolve_path(raw, scratch).verdict, PathVerdict::kBadRequest) << raw;
  }
  std::string scratch;
  const std::string with_nul("/static/a\0b", 11);
  EXPECT_EQ(resolve_path(with_nul, scratch).verdict, PathVerdict::kBadRequest);
  EXPECT_EQ(resolve_path("/static/" + std::string(kMaxStaticPath, 'a'), scratch).verdict,
            PathVerdict::kBadRequest);
}

TEST(StaticPath, DotfilesAreHiddenUnlessShown) {
  std::string scratch;
  EXPECT_EQ(resolve_path("/static/.env", scratch).verdict, PathVerdict::kNotFound);
  EXPECT_EQ(resolve_path("/static/.git/config", scratch).verdict, PathVerdict::kNotFound);
  EXPECT_EQ(resolve_path("/static/a/.htpasswd", scratch).verdict, PathVerdict::kNotFound);
  EXPECT_EQ(resolve_path("/static/%2egit/config", scratch).verdict, PathVerdict::kNotFound);
  const StaticPath shown = resolve_path("/static/.well-known/x", scratch, true);
  EXPECT_EQ(shown.verdict, PathVerdict::kFile);
  EXPECT_EQ(shown.relative, ".well-known/x");
}

TEST(StaticPath, PrefixAndTrailingSlash) {
  std::string scratch;
  EXPECT_EQ(resolve_path("/other/a.css", scratch).verdict, PathVerdict::kNotFound);
  EXPECT_EQ(resolve_path("/a", scratch, false, "/").relative, "a");
  EXPECT_EQ(resolve_path("/statics/a", scratch, false, "/static").verdict, PathVerdict::kNotFound);
  EXPECT_EQ(resolve_path("/static/a", scratch, false, "/static").relative, "a");
  EXPECT_TRUE(resolve_path("/static/docs/", scratch).trailing_slash);
  EXPECT_FALSE(resolve_path("/static/docs", scratch).trailing_slash);
  EXPECT_TRUE(resolve_path("/", scratch, false, "/").trailing_slash);
}

TEST(StaticPath, Utf8) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("\x80"));
}

}  // namespace
}  // namespace flotilla::gateway::files
