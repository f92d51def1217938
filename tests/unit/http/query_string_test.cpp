#include "http/query_string.hpp"

#include <gtest/gtest.h>

namespace flotilla::http {
namespace {

TEST(SplitTarget, PathAndQuery) {
  const auto parts = split_target("/api/slow?ms=250&x=1");
  EXPECT_EQ(parts.path, "/api/slow");
  EXPECT_EQ(parts.query, "ms=250&x=1");
}

TEST(SplitTarget, NoQueryAndFragment) {
  EXPECT_EQ(split_target("/health").path, "/health");
  EXPECT_EQ(split_target("/health").query, "");
  EXPECT_EQ(split_target("/a?b=1#frag").query, "b=1");
  EXPECT_EQ(split_target("/a#x?y").path, "/a");
}

TEST(SplitTarget, AbsoluteForm) {
  EXPECT_EQ(split_target("http://example.com/api/hello?x=1").path, "/api/hello");
  EXPECT_EQ(split_target("http://example.com/api/hello?x=1").query, "x=1");
  EXPECT_EQ(split_target("http://example.com").path, "/");
  EXPECT_EQ(split_target("http://example.com?q=2").path, "/");
  EXPECT_EQ(split_target("http://example.com?q=2").query, "q=2");
}

TEST(QueryValue, FindsFirstExactName) {
  EXPECT_EQ(query_value("ms=250&x=1", "ms"), "250");
  EXPECT_EQ(query_value("ms=250&x=1", "x"), "1");
  EXPECT_EQ(query_value("a=1&a=2", "a"), "1");
  EXPECT_EQ(query_value("xms=1&ms=2", "ms"), "2");
  EXPECT_FALSE(query_value("ms=250", "m").has_value());
  EXPECT_FALSE(query_value("", "ms").has_value());
}

TEST(QueryValue, BareAndEmptyValues) {
  EXPECT_EQ(query_value("chunked&n=5", "chunked"), "");
  EXPECT_EQ(query_value("chunked=&n=5", "chunked"), "");
  EXPECT_EQ(query_value("a=b=c", "a"), "b=c");
  EXPECT_EQ(query_value("&&n=5&", "n"), "5");
}

TEST(PercentDecode, Escapes) {
  EXPECT_EQ(percent_decode("a%20b+c%2F"), "a b c/");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%2").has_value());
  EXPECT_FALSE(percent_decode("%zz").has_value());
}

TEST(ParseUint, StrictDecimal) {
  EXPECT_EQ(parse_uint("0"), 0u);
  EXPECT_EQ(parse_uint("250"), 250u);
  EXPECT_EQ(parse_uint("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(parse_uint("18446744073709551616").has_value());
  EXPECT_FALSE(parse_uint("").has_value());
  EXPECT_FALSE(parse_uint("-1").has_value());
  EXPECT_FALSE(parse_uint("+1").has_value());
  EXPECT_FALSE(parse_uint(" 1").has_value());
  EXPECT_FALSE(parse_uint("1ms").has_value());
  EXPECT_FALSE(parse_uint("0x10").has_value());
}

TEST(ParseFraction, PlainDecimalsOnly) {
  EXPECT_DOUBLE_EQ(*parse_fraction("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_fraction("1"), 1.0);
  EXPECT_DOUBLE_EQ(*parse_fraction(".5"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_fraction("1."), 1.0);
  EXPECT_FALSE(parse_fraction("").has_value());
  EXPECT_FALSE(parse_fraction(".").has_value());
  EXPECT_FALSE(parse_fraction("inf").has_value());
  EXPECT_FALSE(parse_fraction("nan").has_value());
  EXPECT_FALSE(parse_fraction("1e3").has_value());
  EXPECT_FALSE(parse_fraction("-0.5").has_value());
  EXPECT_FALSE(parse_fraction("0.5.1").has_value());
}

TEST(UintParam, DefaultRangeAndErrors) {
  EXPECT_EQ(uint_param("x=1", "ms", 7, 100), 7u);
  EXPECT_EQ(uint_param("ms=100", "ms", 7, 100), 100u);
  EXPECT_FALSE(uint_param("ms=101", "ms", 7, 100).has_value());
  EXPECT_FALSE(uint_param("ms=abc", "ms", 7, 100).has_value());
  EXPECT_FALSE(uint_param("ms=", "ms", 7, 100).has_value());
}

}  // namespace
}  // namespace flotilla::http
