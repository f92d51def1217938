#include "cache/vary.hpp"

#include <gtest/gtest.h>

#include "field_rows.hpp"

namespace flotilla::cache {
namespace {

using testing::FieldRows;

TEST(Vary, NoVaryMatchesEveryRequest) {
  const FieldRows response{"Content-Type: text/plain"};
  const FieldRows first{"Accept: text/html"};
  const VarySelection stored = vary_selection(response, first);
  EXPECT_TRUE(stored.fields.empty());
  const FieldRows other{"Accept: */*"};
  EXPECT_TRUE(vary_matches(stored, other));
}

TEST(Vary, StarNeverMatches) {
  const FieldRows response{"Vary: *"};
  const FieldRows request{};
  const VarySelection stored = vary_selection(response, request);
  EXPECT_TRUE(stored.star);
  EXPECT_FALSE(vary_matches(stored, request));
}

TEST(Vary, Table) {
  struct Row {
    const char* name;
    FieldRows response;
    FieldRows first;
    FieldRows next;
    bool matches;
  };
  const Row rows[] = {
      {"same value",
       {"Vary: Accept-Language"},
       {"Accept-Language: en"},
       {"Accept-Language: en"},
       true},
      {"other value",
       {"Vary: Accept-Language"},
       {"Accept-Language: en"},
       {"Accept-Language: fr"},
       false},
      {"field name case",
       {"Vary: accept-language"},
       {"ACCEPT-LANGUAGE: en"},
       {"Accept-Language: en"},
       true},
      {"both absent", {"Vary: X-Foo"}, {}, {}, true},
      {"absent vs present", {"Vary: X-Foo"}, {}, {"X-Foo: 1"}, false},
      {"whitespace around commas",
       {"Vary: Accept-Encoding"},
       {"Accept-Encoding: gzip,br"},
       {"Accept-Encoding:  gzip ,  br "},
       true},
      {"order of Accept-Encoding items",
       {"Vary: Accept-Encoding"},
       {"Accept-Encoding: gzip, br"},
       {"Accept-Encoding: br, gzip"},
       true},
      {"case of Accept-Encoding tokens",
       {"Vary: Accept-Encoding"},
       {"Accept-Encoding: GZIP"},
       {"Accept-Encoding: gzip"},
       true},
      {"split lines combine",
       {"Vary: Accept-Encoding"},
       {"Accept-Encoding: gzip, br"},
       {"Accept-Encoding: gzip", "Accept-Encoding: br"},
       true},
      {"order matters for other fields",
       {"Vary: X-List"},
       {"X-List: a, b"},
       {"X-List: b, a"},
       false},
      {"case matters for other fields",
       {"Vary: X-Token"},
       {"X-Token: Abc"},
       {"X-Token: abc"},
       false},
      {"two fields, one differs",
       {"Vary: Accept, Accept-Language"},
       {"Accept: text/html", "Accept-Language: en"},
       {"Accept: text/html", "Accept-Language: de"},
       false},
      {"two Vary lines",
       {"Vary: Accept", "Vary: X-Foo"},
       {"Accept: a", "X-Foo: 1"},
       {"Accept: a", "X-Foo: 2"},
       false},
      {"q-value spaces",
       {"Vary: Accept-Encoding"},
       {"Accept-Encoding: gzip;q=0.5"},
       {"Accept-Encoding: gzip ; q=0.5"},
       true},
  };
  for (const Row& row : rows) {
    const VarySelection stored = vary_selection(row.response, row.first);
    EXPECT_EQ(vary_matches(stored, row.next), row.matches) << row.name;
    EXPECT_TRUE(vary_matches(stored, row.first)) << row.name;
  }
}

}  // namespace
}  // namespace flotilla::cache
