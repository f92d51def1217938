// Value templates: variables and literal runs, what counts as a variable, unknown names, the
// value checks of header values and redirect targets, and how ${VAR} expansion composes with it.
#include "config/value_template.hpp"

#include <gtest/gtest.h>

#include "config/env_expand.hpp"
#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using Parts = std::vector<TemplatePart>;

TemplatePart literal_part(std::string text) {
  return TemplatePart{std::move(text), std::nullopt};
}
TemplatePart variable_part(Variable variable) {
  return TemplatePart{"", variable};
}

Parts parts_of(std::string_view text) {
  const auto result = parse_value_template(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error());
  return result.ok() ? result.value().parts : Parts{};
}

std::string error_of(std::string_view text) {
  const auto result = parse_value_template(text);
  return result.ok() ? "no error" : result.error();
}

TEST(ValueTemplate, SplitsLiteralsAndVariables) {
  EXPECT_EQ(parts_of("https://$host$request_uri"),
            (Parts{literal_part("https://"), variable_part(Variable::host),
                   variable_part(Variable::request_uri)}));
  EXPECT_EQ(
      parts_of("$scheme://$host/x?id=$request_id&ip=$remote_addr"),
      (Parts{variable_part(Variable::scheme), literal_part("://"), variable_part(Variable::host),
             literal_part("/x?id="), variable_part(Variable::request_id), literal_part("&ip="),
             variable_part(Variable::remote_addr)}));
  EXPECT_EQ(parts_of("$host"), (Parts{variable_part(Variable::host)}));
  EXPECT_EQ(parts_of("$host."), (Parts{variable_part(Variable::host), literal_part(".")}));
  EXPECT_EQ(parts_of("$host-x"), (Parts{variable_part(Variable::host), literal_part("-x")}));
}

TEST(ValueTemplate, KeepsTheTextAndKnowsConstants) {
  const auto constant = parse_value_template("max-age=31536000");
  ASSERT_TRUE(constant.ok());
  EXPECT_EQ(constant->text, "max-age=31536000");
  EXPECT_EQ(constant->parts, (Parts{literal_part("max-age=31536000")}));
  EXPECT_TRUE(constant->constant());

  const auto empty = parse_value_template("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->parts.empty());
  EXPECT_TRUE(empty->constant());

  const auto variable = parse_value_template("id $request_id");
  ASSERT_TRUE(variable.ok());
  EXPECT_EQ(variable->text, "id $request_id");
  EXPECT_FALSE(variable->constant());
  EXPECT_FALSE(parse_value_template("$host")->constant());
}

TEST(ValueTemplate, ADollarWithoutANameIsLiteralAndRunsMerge) {
  EXPECT_EQ(parts_of("costs $5"), (Parts{literal_part("costs $5")}));
  EXPECT_EQ(parts_of("a$"), (Parts{literal_part("a$")}));
  EXPECT_EQ(parts_of("$"), (Parts{literal_part("$")}));
  EXPECT_EQ(parts_of("$ $-$.$/"), (Parts{literal_part("$ $-$.$/")}));
  EXPECT_EQ(parts_of("$$"), (Parts{literal_part("$$")}));
  // A literal '$' before a variable stays one run with the text before it.
  EXPECT_EQ(parts_of("x$$host"), (Parts{literal_part("x$"), variable_part(Variable::host)}));
  EXPECT_EQ(parts_of("$5$host$5"),
            (Parts{literal_part("$5"), variable_part(Variable::host), literal_part("$5")}));
}

TEST(ValueTemplate, UnknownVariablesAreErrorsListingTheKnownOnes) {
  constexpr std::string_view kKnown =
      "known: $scheme, $host, $remote_addr, $request_id, $request_uri";
  EXPECT_EQ(error_of("https://$hots$request_uri"),
            fmt::format("unknown variable $hots in 'https://$hots$request_uri'; {}", kKnown));
  // A name runs as far as name characters go: "$hostname" is not "$host" + "name".
  EXPECT_EQ(error_of("$hostname"),
            fmt::format("unknown variable $hostname in '$hostname'; {}", kKnown));
  EXPECT_EQ(error_of("$_x"), fmt::format("unknown variable $_x in '$_x'; {}", kKnown));
  EXPECT_EQ(error_of("$Host"), fmt::format("unknown variable $Host in '$Host'; {}", kKnown));
  EXPECT_EQ(error_of("ok $host, then $uri"),
            fmt::format("unknown variable $uri in 'ok $host, then $uri'; {}", kKnown));
}

TEST(ValueTemplate, VariableNamesFollowTheEnum) {
  ASSERT_EQ(variable_names().size(), 5u);
  EXPECT_EQ(variable_name(Variable::scheme), "scheme");
  EXPECT_EQ(variable_name(Variable::host), "host");
  EXPECT_EQ(variable_name(Variable::remote_addr), "remote_addr");
  EXPECT_EQ(variable_name(Variable::request_id), "request_id");
  EXPECT_EQ(variable_name(Variable::request_uri), "request_uri");
  for (std::string_view name : variable_names()) {
    EXPECT_EQ(parts_of(fmt::format("${}", name)).size(), 1u) << name;
  }
}

TEST(ValueTemplate, HeaderValuesRejectControlCharactersButNotTabs) {
  const auto type = header_value_type();
  EXPECT_TRUE(type.parse("").ok());
  EXPECT_TRUE(type.parse("a\tb").ok());
  const std::vector<std::string_view> bad_values{"a\r\nX-Evil: 1", "a\nb",
                                                 std::string_view("a\0b", 3), "a\x7f"};
  for (std::string_view bad : bad_values) {
    const auto result = type.parse(bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error(),
              "a header value must not contain line breaks or other control characters");
  }
  EXPECT_FALSE(type.parse("$nope").ok());
}

TEST(ValueTemplate, RedirectTargetsAreNonEmptyUrlsWithoutSpaces) {
  const auto type = redirect_target_type();
  EXPECT_TRUE(type.parse("/new").ok());
  EXPECT_TRUE(type.parse("https://$host$request_uri").ok());
  EXPECT_EQ(type.parse("").error(), "must not be empty");
  constexpr std::string_view kSpaces =
      "must be a URL or path without spaces or control characters (percent-encode them)";
  EXPECT_EQ(type.parse("/a b").error(), kSpaces);
  EXPECT_EQ(type.parse("/a\tb").error(), kSpaces);
  EXPECT_EQ(type.parse("/a\r\n").error(), kSpaces);
}

// In the file, ${VAR} and "$$" are expanded first; bare $name passes through to the template.
TEST(ValueTemplate, ComposesWithEnvironmentExpansion) {
  const EnvLookup env = testing::fake_env({{"DOMAIN", "example.com"}, {"ODD", "a$hots"}});
  auto both = [&](std::string_view text) {
    const auto expanded = expand_env(text, env);
    EXPECT_TRUE(expanded.ok()) << text;
    return parse_value_template(expanded.ok() ? expanded.value() : std::string());
  };
  EXPECT_EQ(both("https://${DOMAIN}$request_uri")->parts,
            (Parts{literal_part("https://example.com"), variable_part(Variable::request_uri)}));
  EXPECT_EQ(both("${MISSING:-$host}")->parts, (Parts{variable_part(Variable::host)}));
  EXPECT_EQ(both("costs $$5")->parts, (Parts{literal_part("costs $5")}));
  // "$$" is the environment's escape, not the template's: "$$host" reaches it as "$host".
  EXPECT_EQ(both("$$host")->parts, (Parts{variable_part(Variable::host)}));
  EXPECT_EQ(both("$$$$host")->parts, (Parts{literal_part("$"), variable_part(Variable::host)}));
  // A value from the environment is template text too.
  EXPECT_FALSE(both("${ODD}").ok());
  // "${host}" is an environment reference, not the template variable.
  EXPECT_FALSE(expand_env("${host}", env).ok());
}

}  // namespace
}  // namespace flotilla::config
