// Validators and RFC 9110 §13.2.2's precedence, as tables: which header wins when several are
// sent, weak and strong comparison, the three date forms.
#include "gateway/static_files/conditional.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway::files {
namespace {

constexpr std::time_t kMtime = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::string_view kLastModified = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr std::string_view kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";

TEST(Conditional, EtagIsNginxStyle) {
  EXPECT_EQ(make_etag(0x5f1e2d3c, 0x400).view(), "\"5f1e2d3c-400\"");
  EXPECT_EQ(make_etag(0, 0).view(), "\"0-0\"");
}

TEST(Conditional, DatesInEveryForm) {
  std::array<char, 29> out{};
  EXPECT_EQ(format_http_date(kMtime, out), kLastModified);
  EXPECT_EQ(parse_http_date(kLastModified), kMtime);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kMtime);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kMtime);
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
}

TEST(Conditional, EntityTagLists) {
  const std::string_view etag = "\"a-1\"";
  EXPECT_TRUE(etag_list_matches("*", etag, false));
  EXPECT_TRUE(etag_list_matches("\"x\", \"a-1\"", etag, false));
  EXPECT_TRUE(etag_list_matches("W/\"a-1\"", etag, true));
  EXPECT_FALSE(etag_list_matches("W/\"a-1\"", etag, false));
  EXPECT_FALSE(etag_list_matches("\"a-2\"", etag, true));
  EXPECT_FALSE(etag_list_matches("a-1", etag, true));  // unquoted: malformed
}

// Conditions from (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since).
Conditions when(std::string_view match, std::string_view none_match = {},
                std::string_view modified_since = {}, std::string_view unmodified_since = {}) {
  Conditions c;
  c.if_match = match;
  c.if_none_match = none_match;
  c.if_modified_since = modified_since;
  c.if_unmodified_since = unmodified_since;
  return c;
}

struct PreconditionRow {
  Conditions c;
  bool get_or_head;
  Precondition want;
};

TEST(Conditional, PrecedenceTable) {
  const std::string_view e = "\"5f-10\"";
  const PreconditionRow rows[] = {
      {when({}, {}, {}, {}), true, Precondition::kProceed},
      // If-Match
      {when("\"5f-10\"", {}, {}, {}), true, Precondition::kProceed},
      {when("\"other\"", {}, {}, {}), true, Precondition::kFailed},
      {when("*", {}, {}, {}), true, Precondition::kProceed},
      {when("W/\"5f-10\"", {}, {}, {}), true, Precondition::kFailed},  // strong comparison
      // If-Unmodified-Since, only without If-Match
      {when({}, {}, {}, kBefore), true, Precondition::kFailed},
      {when({}, {}, {}, kLastModified), true, Precondition::kProceed},
      {when("\"5f-10\"", {}, {}, kBefore), true, Precondition::kProceed},
      {when({}, {}, {}, "garbage"), true, Precondition::kProceed},
      // If-None-Match
      {when({}, "\"5f-10\"", {}, {}), true, Precondition::kNotModified},
      {when({}, "W/\"5f-10\"", {}, {}), true, Precondition::kNotModified},  // weak
      {when({}, "\"5f-10\"", {}, {}), false, Precondition::kFailed},
      {when({}, "\"other\"", {}, {}), true, Precondition::kProceed},
      {when({}, "*", {}, {}), true, Precondition::kNotModified},
      // If-Modified-Since, only without If-None-Match, only for GET/HEAD
      {when({}, {}, kLastModified, {}), true, Precondition::kNotModified},
      {when({}, {}, kAfter, {}), true, Precondition::kNotModified},
      {when({}, {}, kBefore, {}), true, Precondition::kProceed},
      {when({}, {}, kLastModified, {}), false, Precondition::kProceed},
      {when({}, "\"other\"", kAfter, {}), true, Precondition::kProceed},
      // If-Match failing wins over If-None-Match matching (412 before 304)
      {when("\"other\"", "\"5f-10\"", {}, {}), true, Precondition::kFailed},
      {when({}, "\"5f-10\"", {}, kBefore), true, Precondition::kFailed},
  };
  int i = 0;
  for (const PreconditionRow& row : rows) {
    EXPECT_EQ(evaluate(row.c, e, kMtime, row.get_or_head), row.want) << "row " << i;
    ++i;
  }
}

TEST(Conditional, IfRange) {
  const std::string_view e = "\"5f-10\"";
  EXPECT_TRUE(if_range_holds("", e, kMtime));
  EXPECT_TRUE(if_range_holds("\"5f-10\"", e, kMtime));
  EXPECT_FALSE(if_range_holds("\"5f-11\"", e, kMtime));
  EXPECT_FALSE(if_range_holds("W/\"5f-10\"", e, kMtime));
  EXPECT_TRUE(if_range_holds(kLastModified, e, kMtime));
  EXPECT_FALSE(if_range_holds(kAfter, e, kMtime));  // only an exact date validates
  EXPECT_FALSE(if_range_holds("garbage", e, kMtime));
}

}  // namespace
}  // namespace flotilla::gateway::files
