#include "cache/stored_head.hpp"

#include <gtest/gtest.h>

#include "field_rows.hpp"

namespace flotilla::cache {
namespace {

using testing::FieldRows;

std::string joined_values(const FieldList& list, std::string_view name) {
  std::string out;
  for (const auto& [n, v] : list) {
    if (n == name) out += (out.empty() ? "" : "|") + v;
  }
  return out;
}

TEST(HeadersToStore, DropsHopByHopAndConnectionNamedFields) {
  const FieldRows response{"Content-Type: text/plain",
                           "Connection: close, X-Secret",
                           "X-Secret: 1",
                           "Keep-Alive: timeout=5",
                           "Transfer-Encoding: chunked",
                           "ETag: \"a\"",
                           "Age: 30",
                           "Set-Cookie: a=b"};
  const FieldList stored = headers_to_store(response);
  EXPECT_EQ(stored.size(), 3u);
  EXPECT_EQ(joined_values(stored, "Content-Type"), "text/plain");
  EXPECT_EQ(joined_values(stored, "ETag"), "\"a\"");
  EXPECT_EQ(joined_values(stored, "Set-Cookie"), "a=b");
  EXPECT_EQ(joined_values(stored, "X-Secret"), "");
}

TEST(MergeNotModified, ReplacesByNameKeepsBodyFields) {
  FieldList stored{{"Content-Type", "text/plain"},
                   {"Content-Length", "5"},
                   {"Cache-Control", "max-age=10"},
                   {"X-Multi", "1"},
                   {"X-Multi", "2"},
                   {"ETag", "\"a\""}};
  const FieldRows not_modified{"Cache-Control: max-age=100", "Content-Length: 0", "X-Multi: 3",
                               "X-New: y", "Connection: close"};
  merge_not_modified(stored, not_modified);
  EXPECT_EQ(joined_values(stored, "Cache-Control"), "max-age=100");
  EXPECT_EQ(joined_values(stored, "Content-Length"), "5");
  EXPECT_EQ(joined_values(stored, "X-Multi"), "3");
  EXPECT_EQ(joined_values(stored, "X-New"), "y");
  EXPECT_EQ(joined_values(stored, "Connection"), "");
  EXPECT_EQ(joined_values(stored, "ETag"), "\"a\"");
}

TEST(ValidatorsFor, EtagAndLastModified) {
  const FieldList stored{{"ETag", "\"v1\""}, {"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  const FieldList v = validators_for(stored);
  EXPECT_EQ(joined_values(v, "If-None-Match"), "\"v1\"");
  EXPECT_EQ(joined_values(v, "If-Modified-Since"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_TRUE(validators_for(FieldList{{"Content-Type", "x"}}).empty());
}

TEST(ClientNotModified, Table) {
  const FieldList stored{{"ETag", "W/\"v1\""}, {"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  struct Row {
    const char* name;
    FieldRows request;
    bool expected;
  };
  const Row rows[] = {
      {"no condition", {}, false},
      {"etag weak match", {"If-None-Match: \"v1\""}, true},
      {"etag in list", {"If-None-Match: \"x\", W/\"v1\""}, true},
      {"star", {"If-None-Match: *"}, true},
      {"etag mismatch", {"If-None-Match: \"v2\""}, false},
      {"INM wins over IMS",
       {"If-None-Match: \"v2\"", "If-Modified-Since: Mon, 07 Nov 1994 08:49:37 GMT"},
       false},
      {"IMS later", {"If-Modified-Since: Mon, 07 Nov 1994 08:49:37 GMT"}, true},
      {"IMS same", {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"}, true},
      {"IMS earlier", {"If-Modified-Since: Sat, 05 Nov 1994 08:49:37 GMT"}, false},
      {"IMS invalid", {"If-Modified-Since: yesterday"}, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(client_not_modified(row.request, stored), row.expected) << row.name;
  }
}

TEST(HasUnhandledCondition, RangeAndIfMatch) {
  EXPECT_TRUE(has_unhandled_condition(FieldRows{"Range: bytes=0-1"}));
  EXPECT_TRUE(has_unhandled_condition(FieldRows{"If-Match: \"a\""}));
  EXPECT_FALSE(has_unhandled_condition(FieldRows{"If-None-Match: \"a\""}));
}

}  // namespace
}  // namespace flotilla::cache
