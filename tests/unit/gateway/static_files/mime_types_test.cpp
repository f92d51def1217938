// The media-type table: mime.types syntax, the charset on text, the built-in fallback and the
// system file (Debian's media-types is a build dependency: scripts/install-deps.sh).
#include "gateway/static_files/mime_types.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace flotilla::gateway::files {
namespace {

TEST(MimeTypes, ParsesMimeTypesSyntax) {
  const MimeTable t = MimeTable::parse(
      "# comment\n"
      "text/html\t\thtml htm\n"
      "application/x-thing   thing # trailing comment\n"
      "image/png png\n"
      "no-slash ignored\n"
      "application/empty\n");
  EXPECT_EQ(t.content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(t.content_type("a/b/INDEX.HTM"), "text/html; charset=utf-8");
  EXPECT_EQ(t.content_type("x.thing"), "application/x-thing");
  EXPECT_EQ(t.content_type("logo.png"), "image/png");
  EXPECT_EQ(t.content_type("x.ignored"), "application/octet-stream");
  EXPECT_EQ(t.content_type("README"), "application/octet-stream");
  EXPECT_EQ(t.content_type("dir.d/README"), "application/octet-stream");
  EXPECT_EQ(t.content_type("trailing."), "application/octet-stream");
}

TEST(MimeTypes, BuiltinCoversTheWeb) {
  const MimeTable t = MimeTable::builtin();
  EXPECT_EQ(t.content_type("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(t.content_type("s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(t.content_type("d.json"), "application/json; charset=utf-8");
  EXPECT_EQ(t.content_type("i.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(t.content_type("f.woff2"), "font/woff2");
  EXPECT_EQ(t.content_type("m.wasm"), "application/wasm");
}

TEST(MimeTypes, SystemTableIsDebians) {
  ASSERT_TRUE(std::filesystem::exists("/etc/mime.types")) << "install media-types";
  const MimeTable& t = system_mime_table();
  EXPECT_GT(t.size(), 500u);  // the built-in table has ~40
  EXPECT_EQ(t.content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(t.content_type("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(t.content_type("a.odt"), "application/vnd.oasis.opendocument.text");
}

}  // namespace
}  // namespace flotilla::gateway::files
