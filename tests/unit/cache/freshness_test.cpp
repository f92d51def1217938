#include "cache/freshness.hpp"

#include <gtest/gtest.h>

#include "cache/http_dates.hpp"
#include "field_rows.hpp"

namespace flotilla::cache {
namespace {

using testing::FieldRows;

constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
const std::string kDate = format_http_date(kNow);

std::string date_line(std::string_view name, std::int64_t t) {
  return std::string(name) + ": " + format_http_date(t);
}

struct StorableRow {
  const char* name;
  std::vector<std::string> response;
  int status = 200;
  RequestInfo request;
  Policy policy;
  Storable expected;
};

TEST(Storable, Table) {
  Policy everything;
  everything.cache_everything = true;
  everything.ttl.default_ = 60;
  RequestInfo auth;
  auth.has_authorization = true;
  RequestInfo post;
  post.method = "POST";
  RequestInfo head;
  head.method = "HEAD";
  RequestInfo req_no_store;
  req_no_store.no_store = true;
  const StorableRow rows[] = {
      {"max-age", {"Cache-Control: max-age=60"}, 200, {}, {}, Storable::kYes},
      {"no headers, 200 (heuristic status)", {}, 200, {}, {}, Storable::kYes},
      {"no headers, 201 (not heuristic)", {}, 201, {}, {}, Storable::kNoFreshness},
      {"201 with max-age", {"Cache-Control: max-age=60"}, 201, {}, {}, Storable::kYes},
      {"201 with Expires", {"Expires: Thu, 01 Jan 2099 00:00:00 GMT"}, 201, {}, {}, Storable::kYes},
      {"201 public", {"Cache-Control: public"}, 201, {}, {}, Storable::kYes},
      {"201 cache_everything", {}, 201, {}, everything, Storable::kYes},
      {"no-store", {"Cache-Control: max-age=60, no-store"}, 200, {}, {}, Storable::kNoStore},
      {"request no-store",
       {"Cache-Control: max-age=60"},
       200,
       req_no_store,
       {},
       Storable::kNoStore},
      {"private", {"Cache-Control: private, max-age=60"}, 200, {}, {}, Storable::kPrivate},
      {"private=field",
       {"Cache-Control: private=\"x\", max-age=60"},
       200,
       {},
       {},
       Storable::kPrivate},
      {"no-cache is storable", {"Cache-Control: no-cache"}, 200, {}, {}, Storable::kYes},
      {"POST", {"Cache-Control: max-age=60"}, 200, post, {}, Storable::kMethod},
      {"HEAD", {"Cache-Control: max-age=60"}, 200, head, {}, Storable::kMethod},
      {"206", {"Cache-Control: max-age=60"}, 206, {}, {}, Storable::kStatus},
      {"304", {"Cache-Control: max-age=60"}, 304, {}, {}, Storable::kStatus},
      {"1xx", {}, 103, {}, {}, Storable::kStatus},
      {"Authorization, max-age",
       {"Cache-Control: max-age=60"},
       200,
       auth,
       {},
       Storable::kAuthorization},
      {"Authorization, public",
       {"Cache-Control: public, max-age=60"},
       200,
       auth,
       {},
       Storable::kYes},
      {"Authorization, s-maxage", {"Cache-Control: s-maxage=60"}, 200, auth, {}, Storable::kYes},
      {"Authorization, must-revalidate",
       {"Cache-Control: must-revalidate, max-age=60"},
       200,
       auth,
       {},
       Storable::kYes},
      {"Vary: *", {"Cache-Control: max-age=60", "Vary: *"}, 200, {}, {}, Storable::kVaryStar},
      {"Vary: a, *",
       {"Cache-Control: max-age=60", "Vary: Accept, *"},
       200,
       {},
       {},
       Storable::kVaryStar},
      {"Vary: Accept", {"Cache-Control: max-age=60", "Vary: Accept"}, 200, {}, {}, Storable::kYes},
      {"CDN-Cache-Control no-store over CC max-age",
       {"Cache-Control: max-age=60", "CDN-Cache-Control: no-store"},
       200,
       {},
       {},
       Storable::kNoStore},
      {"Flotilla-Cache-Control max-age over CC private",
       {"Cache-Control: private", "Flotilla-Cache-Control: max-age=60"},
       200,
       {},
       {},
       Storable::kYes},
      // A targeted field replaces Expires too: 201 with only Expires is not storable then.
      {"targeted field hides Expires",
       {"Expires: Thu, 01 Jan 2099 00:00:00 GMT", "CDN-Cache-Control: must-revalidate"},
       201,
       {},
       {},
       Storable::kNoFreshness},
  };
  for (const StorableRow& row : rows) {
    std::vector<Field> fields;
    for (const std::string& line : row.response) {
      const std::size_t colon = line.find(':');
      fields.push_back(
          {std::string_view(line).substr(0, colon), std::string_view(line).substr(colon + 2)});
    }
    const ResponseFacts facts = response_facts(row.status, fields);
    EXPECT_EQ(storable(row.request, facts, fields, row.policy), row.expected)
        << row.name << ": got " << storable_name(storable(row.request, facts, fields, row.policy));
  }
}

struct LifetimeRow {
  const char* name;
  std::vector<std::string> response;
  int status = 200;
  TtlPolicy ttl;
  std::int64_t expected;
};

TEST(FreshnessLifetime, Table) {
  const TtlPolicy none;
  TtlPolicy clamp;
  clamp.min = 100;
  clamp.default_ = 3600;
  clamp.max = 86400;
  TtlPolicy default_only;
  default_only.default_ = 30 * 86400;
  const std::string date = "Date: " + kDate;
  const LifetimeRow rows[] = {
      {"max-age", {"Cache-Control: max-age=60"}, 200, none, 60},
      {"s-maxage over max-age", {"Cache-Control: max-age=60, s-maxage=10"}, 200, none, 10},
      {"max-age over Expires",
       {date, date_line("Expires", kNow + 500), "Cache-Control: max-age=7"},
       200,
       none,
       7},
      {"Expires - Date", {date, date_line("Expires", kNow + 500)}, 200, none, 500},
      {"Expires in the past", {date, date_line("Expires", kNow - 500)}, 200, none, 0},
      {"Expires: 0 is expired", {date, "Expires: 0"}, 200, none, 0},
      {"Expires invalid", {date, "Expires: tomorrow"}, 200, none, 0},
      {"Expires RFC 850", {date, "Expires: Sunday, 06-Nov-94 08:49:37 GMT"}, 200, none, 0},
      {"Expires without Date uses the response time",
       {date_line("Expires", kNow + 90)},
       200,
       none,
       90},
      {"heuristic: 10% of Last-Modified age",
       {date, date_line("Last-Modified", kNow - 10000)},
       200,
       none,
       1000},
      {"heuristic capped at a day",
       {date, date_line("Last-Modified", kNow - 100 * 86400)},
       200,
       none,
       86400},
      {"no heuristic for 201", {date, date_line("Last-Modified", kNow - 10000)}, 201, none, 0},
      {"no heuristic with no-cache",
       {date, date_line("Last-Modified", kNow - 10000), "Cache-Control: no-cache"},
       200,
       none,
       0},
      {"nothing", {date}, 200, none, 0},
      {"operator default replaces the heuristic",
       {date, date_line("Last-Modified", kNow - 10000)},
       200,
       clamp,
       3600},
      {"scalar ttl: 30d", {date}, 200, default_only, 30 * 86400},
      {"min raises max-age", {"Cache-Control: max-age=5"}, 200, clamp, 100},
      {"min leaves no-cache alone", {"Cache-Control: max-age=5, no-cache"}, 200, clamp, 5},
      {"min leaves must-revalidate alone",
       {"Cache-Control: max-age=5, must-revalidate"},
       200,
       clamp,
       5},
      {"max caps max-age", {"Cache-Control: max-age=31536000"}, 200, clamp, 86400},
      {"max caps Expires", {date, date_line("Expires", kNow + 10 * 86400)}, 200, clamp, 86400},
      {"CDN-Cache-Control ignores Expires",
       {date, date_line("Expires", kNow + 500), "CDN-Cache-Control: public"},
       200,
       none,
       0},
      {"CDN-Cache-Control max-age over Cache-Control s-maxage",
       {"Cache-Control: s-maxage=5", "CDN-Cache-Control: max-age=50"},
       200,
       none,
       50},
  };
  for (const LifetimeRow& row : rows) {
    std::vector<Field> fields;
    for (const std::string& line : row.response) {
      const std::size_t colon = line.find(':');
      fields.push_back(
          {std::string_view(line).substr(0, colon), std::string_view(line).substr(colon + 2)});
    }
    Policy policy;
    policy.ttl = row.ttl;
    EXPECT_EQ(freshness_lifetime(response_facts(row.status, fields), policy, kNow), row.expected)
        << row.name;
  }
}

TEST(CurrentAge, Rfc9111Section423) {
  struct Row {
    const char* name;
    std::vector<std::string> response;
    std::int64_t request_time, response_time, now;
    std::int64_t expected;
  };
  const Row rows[] = {
      {"fresh from origin", {"Date: " + kDate}, kNow, kNow, kNow, 0},
      {"resident time", {"Date: " + kDate}, kNow, kNow, kNow + 30, 30},
      {"Age field", {"Date: " + kDate, "Age: 100"}, kNow, kNow, kNow + 5, 105},
      {"response delay added to Age", {"Date: " + kDate, "Age: 100"}, kNow - 3, kNow, kNow, 103},
      {"apparent age from an old Date", {date_line("Date", kNow - 50)}, kNow, kNow, kNow, 50},
      {"apparent age vs Age: larger wins",
       {date_line("Date", kNow - 50), "Age: 10"},
       kNow,
       kNow,
       kNow,
       50},
      {"Date in the future counts 0", {date_line("Date", kNow + 50)}, kNow, kNow, kNow + 1, 1},
      {"invalid Age ignored", {"Date: " + kDate, "Age: ten"}, kNow, kNow, kNow, 0},
      {"no Date", {"Age: 7"}, kNow, kNow, kNow + 1, 8},
  };
  for (const Row& row : rows) {
    std::vector<Field> fields;
    for (const std::string& line : row.response) {
      const std::size_t colon = line.find(':');
      fields.push_back(
          {std::string_view(line).substr(0, colon), std::string_view(line).substr(colon + 2)});
    }
    EXPECT_EQ(
        current_age(response_facts(200, fields), row.request_time, row.response_time, row.now),
        row.expected)
        << row.name;
  }
}

TEST(Usability, RequestAndResponseDirectives) {
  struct Row {
    const char* name;
    FieldRows response;
    FieldRows request;
    std::int64_t lifetime, age;
    Usability expected;
  };
  const Row rows[] = {
      {"fresh", {"Cache-Control: max-age=60"}, {}, 60, 10, Usability::kFresh},
      {"stale", {"Cache-Control: max-age=60"}, {}, 60, 60, Usability::kMustValidate},
      {"no-cache response",
       {"Cache-Control: max-age=60, no-cache"},
       {},
       60,
       1,
       Usability::kMustValidate},
      {"no-cache=field treated as no-cache",
       {"Cache-Control: max-age=60, no-cache=\"x\""},
       {},
       60,
       1,
       Usability::kMustValidate},
      {"request no-cache", {}, {"Cache-Control: no-cache"}, 60, 1, Usability::kMustValidate},
      {"request Pragma no-cache", {}, {"Pragma: no-cache"}, 60, 1, Usability::kMustValidate},
      {"request max-age ok", {}, {"Cache-Control: max-age=20"}, 60, 20, Usability::kFresh},
      {"request max-age too old",
       {},
       {"Cache-Control: max-age=20"},
       60,
       21,
       Usability::kMustValidate},
      {"request max-age=0", {}, {"Cache-Control: max-age=0"}, 60, 1, Usability::kMustValidate},
      {"request max-age=0, age 0", {}, {"Cache-Control: max-age=0"}, 60, 0,
       Usability::kMustValidate},
      {"min-fresh ok", {}, {"Cache-Control: min-fresh=10"}, 60, 50, Usability::kFresh},
      {"min-fresh refuses", {}, {"Cache-Control: min-fresh=10"}, 60, 51, Usability::kMustValidate},
      {"max-stale any", {}, {"Cache-Control: max-stale"}, 60, 1000, Usability::kStaleAllowed},
      {"max-stale within", {}, {"Cache-Control: max-stale=10"}, 60, 70, Usability::kStaleAllowed},
      {"max-stale beyond", {}, {"Cache-Control: max-stale=10"}, 60, 71, Usability::kMustValidate},
      {"max-stale vs must-revalidate",
       {"Cache-Control: must-revalidate"},
       {"Cache-Control: max-stale"},
       60,
       70,
       Usability::kMustValidate},
      {"max-stale vs proxy-revalidate",
       {"Cache-Control: proxy-revalidate"},
       {"Cache-Control: max-stale"},
       60,
       70,
       Usability::kMustValidate},
      {"max-stale vs s-maxage",
       {"Cache-Control: s-maxage=60"},
       {"Cache-Control: max-stale"},
       60,
       70,
       Usability::kMustValidate},
      {"max-stale while fresh", {}, {"Cache-Control: max-stale"}, 60, 10, Usability::kFresh},
  };
  for (const Row& row : rows) {
    const ResponseFacts facts = response_facts(200, row.response);
    EXPECT_EQ(usability(facts, row.lifetime, row.age, parse_request_directives(row.request)),
              row.expected)
        << row.name;
  }
}

TEST(HttpDates, ThreeFormsAndGarbage) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(parse_http_date("0"));
  EXPECT_FALSE(parse_http_date(""));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date(format_http_date(kNow)), kNow);
}

}  // namespace
}  // namespace flotilla::cache
