#include "cache/cache_control.hpp"

#include <gtest/gtest.h>

#include "field_rows.hpp"

namespace flotilla::cache {
namespace {

using testing::FieldRows;

TEST(ParseResponseDirectives, ReadsEveryDirective) {
  const auto cc = parse_response_directives(
      "public, max-age=60, s-maxage=\"120\", must-revalidate, proxy-revalidate, no-transform, "
      "immutable, stale-while-revalidate=30, stale-if-error=600");
  ASSERT_TRUE(cc);
  EXPECT_TRUE(cc->public_);
  EXPECT_EQ(cc->max_age, 60);
  EXPECT_EQ(cc->s_maxage, 120);
  EXPECT_TRUE(cc->must_revalidate);
  EXPECT_TRUE(cc->proxy_revalidate);
  EXPECT_TRUE(cc->no_transform);
  EXPECT_TRUE(cc->immutable);
  EXPECT_EQ(cc->stale_while_revalidate, 30);
  EXPECT_EQ(cc->stale_if_error, 600);
  EXPECT_FALSE(cc->no_store);
  EXPECT_FALSE(cc->private_);
}

TEST(ParseResponseDirectives, CaseInsensitiveNamesAndFirstOccurrenceWins) {
  const auto cc = parse_response_directives("MAX-AGE=10, max-age=99, No-Store");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, 10);
  EXPECT_TRUE(cc->no_store);
}

TEST(ParseResponseDirectives, InvalidDeltaSecondsIsZero) {
  EXPECT_EQ(parse_response_directives("max-age=abc")->max_age, 0);
  EXPECT_EQ(parse_response_directives("max-age=")->max_age, 0);
  EXPECT_EQ(parse_response_directives("max-age=-5")->max_age, 0);
  EXPECT_EQ(parse_response_directives("max-age")->max_age, 0);
  EXPECT_EQ(parse_response_directives("s-maxage=1.5")->s_maxage, 0);
}

TEST(ParseResponseDirectives, HugeDeltaSecondsIsCapped) {
  EXPECT_EQ(parse_response_directives("max-age=99999999999999999999")->max_age, kMaxDeltaSeconds);
}

TEST(ParseResponseDirectives, QualifiedNoCacheAndPrivateKeepFieldNames) {
  const auto cc =
      parse_response_directives("no-cache=\"Set-Cookie, X-Foo\", private=\"Authorization\"");
  ASSERT_TRUE(cc);
  EXPECT_TRUE(cc->no_cache);
  EXPECT_EQ(cc->no_cache_fields, (std::vector<std::string>{"set-cookie", "x-foo"}));
  EXPECT_TRUE(cc->private_);
  EXPECT_EQ(cc->private_fields, (std::vector<std::string>{"authorization"}));
  const auto bare = parse_response_directives("no-cache");
  EXPECT_TRUE(bare->no_cache);
  EXPECT_TRUE(bare->no_cache_fields.empty());
}

TEST(ParseResponseDirectives, ToleratesEmptyItemsAndSpaces) {
  const auto cc = parse_response_directives(" , max-age = 5 ,, public ,");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, 5);
  EXPECT_TRUE(cc->public_);
  EXPECT_FALSE(parse_response_directives("max-age=\"5"));     // unclosed quote
  EXPECT_FALSE(parse_response_directives("max-age=5 junk"));  // two tokens without a comma
}

TEST(SelectResponseDirectives, TargetedFieldsTakePrecedence) {
  struct Row {
    FieldRows fields;
    DirectiveSource source;
    std::optional<std::int64_t> max_age;
  };
  const Row rows[] = {
      {{"Cache-Control: max-age=10"}, DirectiveSource::kCacheControl, 10},
      {{"Cache-Control: max-age=10", "CDN-Cache-Control: max-age=20"},
       DirectiveSource::kCdnCacheControl,
       20},
      {{"Cache-Control: max-age=10", "CDN-Cache-Control: max-age=20",
        "Flotilla-Cache-Control: max-age=30"},
       DirectiveSource::kFlotillaCacheControl,
       30},
      // An invalid targeted field is ignored: the next one in line applies.
      {{"Cache-Control: max-age=10", "CDN-Cache-Control: max-age=\"20"},
       DirectiveSource::kCacheControl,
       10},
      {{"Cache-Control: max-age=10", "Flotilla-Cache-Control: max-age=20 x",
        "CDN-Cache-Control: max-age=40"},
       DirectiveSource::kCdnCacheControl,
       40},
      {{"Content-Type: text/plain"}, DirectiveSource::kNone, std::nullopt},
  };
  for (const Row& row : rows) {
    const SelectedDirectives got = select_response_directives(row.fields);
    EXPECT_EQ(got.source, row.source);
    EXPECT_EQ(got.directives.max_age, row.max_age);
  }
}

TEST(SelectResponseDirectives, TargetedFieldReplacesCacheControlWholly) {
  const FieldRows fields{"Cache-Control: no-store", "CDN-Cache-Control: max-age=60"};
  const SelectedDirectives got = select_response_directives(fields);
  EXPECT_TRUE(got.targeted());
  EXPECT_FALSE(got.directives.no_store);
}

TEST(SelectResponseDirectives, GarbledCacheControlNeverStores) {
  const FieldRows fields{"Cache-Control: max-age=\"60"};
  EXPECT_TRUE(select_response_directives(fields).directives.no_store);
}

TEST(ParseRequestDirectives, Table) {
  const FieldRows a{"Cache-Control: max-age=5, min-fresh=3, max-stale=7, only-if-cached"};
  const RequestDirectives ra = parse_request_directives(a);
  EXPECT_EQ(ra.max_age, 5);
  EXPECT_EQ(ra.min_fresh, 3);
  EXPECT_TRUE(ra.max_stale);
  EXPECT_EQ(ra.max_stale_s, 7);
  EXPECT_TRUE(ra.only_if_cached);
  EXPECT_FALSE(ra.no_cache);

  const FieldRows b{"Cache-Control: max-stale, no-cache, no-store"};
  const RequestDirectives rb = parse_request_directives(b);
  EXPECT_TRUE(rb.max_stale);
  EXPECT_FALSE(rb.max_stale_s);
  EXPECT_TRUE(rb.no_cache);
  EXPECT_TRUE(rb.no_store);

  const FieldRows pragma{"Pragma: no-cache"};
  EXPECT_TRUE(parse_request_directives(pragma).no_cache);
  // Pragma is ignored when Cache-Control is present (RFC 9111 §5.4).
  const FieldRows both{"Pragma: no-cache", "Cache-Control: max-age=10"};
  EXPECT_FALSE(parse_request_directives(both).no_cache);
  const FieldRows split{"Cache-Control: max-age=10", "Cache-Control: no-cache"};
  EXPECT_TRUE(parse_request_directives(split).no_cache);
}

}  // namespace
}  // namespace flotilla::cache
