// HeaderEdits: lines added in order, drops by id and by any name (case-insensitive, once),
// remove/set that also take back lines added earlier under the name and no other, and what the
// head writer makes of the edits on a forwarded head.
#include "gateway/pipeline/header_edits.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "http/head_writer.hpp"
#include "http/response_parser.hpp"

namespace flotilla::gateway {
namespace {

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (const std::string_view name : names) {
    out += name;
    out += ';';
  }
  return out;
}

TEST(HeaderEdits, AddsLinesInOrder) {
  HeaderEdits edits;
  edits.add("X-A", "1");
  edits.add("X-B", "");
  edits.begin_line("X-C") += "three";
  edits.end_line();
  edits.add_lines("X-D: 4\r\nX-E: 5\r\n");
  EXPECT_EQ(edits.lines(), "X-A: 1\r\nX-B: \r\nX-C: three\r\nX-D: 4\r\nX-E: 5\r\n");
  EXPECT_EQ(edits.drop_ids(), 0u);
  EXPECT_TRUE(edits.drop_names().empty());
}

TEST(HeaderEdits, DropsKnownNamesByIdAndOthersByNameOnce) {
  HeaderEdits edits;
  edits.drop("server");  // a name the parser knows: by id, whatever its case
  edits.drop(http::HeaderId::kVia);
  edits.drop("X-Secret");
  edits.drop("x-secret");
  edits.drop("X-Other");
  EXPECT_EQ(edits.drop_ids(),
            http::header_bit(http::HeaderId::kServer) | http::header_bit(http::HeaderId::kVia));
  EXPECT_EQ(joined(edits.drop_names()), "X-Secret;X-Other;");
  EXPECT_TRUE(edits.lines().empty());
}

TEST(HeaderEdits, RemoveTakesBackEarlierLinesOfThatNameOnly) {
  HeaderEdits edits;
  edits.add("X-Tag", "a");
  edits.add("X-Tagged", "b");  // a longer name that starts the same
  edits.add("x-tag", "c");
  edits.add("X-Keep", "X-Tag: d");  // the name in a value is not a field of that name
  edits.add("X-TAG", "e");
  edits.remove("X-Tag");
  EXPECT_EQ(edits.lines(), "X-Tagged: b\r\nX-Keep: X-Tag: d\r\n");
  EXPECT_EQ(joined(edits.drop_names()), "X-Tag;");  // and the received field goes too
  edits.remove("X-Keep");
  edits.remove("X-Tagged");
  EXPECT_TRUE(edits.lines().empty());
}

TEST(HeaderEdits, SetLeavesExactlyOneField) {
  HeaderEdits edits;
  edits.add("Cache-Control", "no-store");
  edits.add("X-A", "1");
  edits.add("cache-control", "private");
  edits.set("Cache-Control", "max-age=60");
  EXPECT_EQ(edits.lines(), "X-A: 1\r\nCache-Control: max-age=60\r\n");
  EXPECT_EQ(edits.drop_ids(), http::header_bit(http::HeaderId::kCacheControl));
  edits.set("Cache-Control", "max-age=5");
  EXPECT_EQ(edits.lines(), "X-A: 1\r\nCache-Control: max-age=5\r\n");
}

TEST(HeaderEdits, AddedIsCaseInsensitiveAndByWholeName) {
  HeaderEdits edits;
  edits.add("X-Request-Id", "abc");
  edits.add("X-Note", "X-Other: in a value");
  EXPECT_TRUE(edits.added("x-request-id"));
  EXPECT_TRUE(edits.added("X-NOTE"));
  EXPECT_FALSE(edits.added("X-Request"));
  EXPECT_FALSE(edits.added("X-Request-Id2"));
  EXPECT_FALSE(edits.added("X-Other"));
  EXPECT_FALSE(HeaderEdits().added("X-Request-Id"));
}

TEST(HeaderEdits, ClearForgetsEverything) {
  HeaderEdits edits;
  edits.add("X-A", "1");
  edits.drop("X-B");
  edits.drop(http::HeaderId::kDate);
  edits.clear();
  EXPECT_TRUE(edits.lines().empty());
  EXPECT_TRUE(edits.drop_names().empty());
  EXPECT_EQ(edits.drop_ids(), 0u);
  EXPECT_FALSE(edits.added("X-A"));
}

TEST(HeaderEdits, SameHeaderName) {
  EXPECT_TRUE(same_header_name("Content-Type", "content-TYPE"));
  EXPECT_TRUE(same_header_name("", ""));
  EXPECT_FALSE(same_header_name("X-A", "X-B"));
  EXPECT_FALSE(same_header_name("X-A", "X-A "));
  EXPECT_FALSE(same_header_name("X[A", "x{a"));  // only letters fold ('[' + 32 is '{')
}

// The edits as the head writer applies them to an upstream's head: dropped fields gone (by id,
// by name, both cases), received fields of other names kept, added lines present.
TEST(HeaderEdits, AppliedToAForwardedHead) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nServer: backend\r\nX-Secret: 1\r\nx-secret: 2\r\nX-Kept: 3\r\n"
      "Cache-Control: no-cache\r\nContent-Length: 0\r\n\r\n";
  http::ResponseParser parser;
  ASSERT_TRUE(parser.parse(raw).complete());
  HeaderEdits edits;
  edits.remove("Server");
  edits.remove("X-Secret");
  edits.set("Cache-Control", "max-age=60");
  edits.add("X-Added", "yes");

  std::array<std::string_view, 1> added{edits.lines()};
  http::ForwardOptions options;
  options.added = added;
  options.drop = edits.drop_ids();
  options.drop_names = edits.drop_names();
  http::HeadWriter writer;
  std::string out;
  for (const http::IoPiece& piece : writer.write(parser.head(), options)) {
    out.append(static_cast<const char*>(piece.data), piece.size);
  }
  http::ResponseParser reparsed;
  ASSERT_TRUE(reparsed.parse(out).complete()) << out;
  std::string fields;
  for (const http::Header& h : reparsed.head().headers) {
    fields += std::string(h.name) + "=" + std::string(h.value) + ";";
  }
  EXPECT_EQ(fields, "X-Kept=3;Content-Length=0;Cache-Control=max-age=60;X-Added=yes;") << out;
}

}  // namespace
}  // namespace flotilla::gateway
