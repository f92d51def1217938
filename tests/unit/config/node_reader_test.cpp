// The strict mapping reader: unknown and duplicate keys, merge keys, type errors, helpers.
#include "config/node_reader.hpp"

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using Lines = std::vector<std::string>;

class NodeReaderTest : public ::testing::Test {
 protected:
  // Parses `yaml` as the mapping at `path`; keeps the document alive for the reader.
  MapReader reader(std::string_view yaml, std::vector<std::string_view> keys,
                   std::string path = "section") {
    document_ = YAML::Load(std::string(yaml));
    const Entry entry{document_, path, path, to_pos(document_.Mark()), to_pos(document_.Mark())};
    return MapReader(ctx_, entry, std::move(keys));
  }

  Lines errors() {
    Lines lines;
    for (const Diagnostic& d : ctx_.take_diagnostics()) {
      lines.push_back(fmt::format("{}:{}: {}", d.line, d.column, d.message));
    }
    return lines;
  }

  LoadContext ctx_{"t.yaml", "/base", testing::fake_env({{"X", "42"}})};
  YAML::Node document_;
};

TEST_F(NodeReaderTest, ReadsTypedValuesAndExpandsEnvironment) {
  const MapReader r = reader("a: 5\nb: ${X}\nc: 2s\n", {"a", "b", "c", "d"});
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  Duration c{};
  std::optional<Duration> d;
  EXPECT_TRUE(r.read("a", a, count_type(0, 10)));
  EXPECT_TRUE(r.read("b", b, count_type(0, 100)));
  EXPECT_TRUE(r.read("c", c, duration_type()));
  EXPECT_FALSE(r.read("d", d, duration_type()));  // absent: untouched
  EXPECT_EQ(a, 5u);
  EXPECT_EQ(b, 42u);
  EXPECT_EQ(c, std::chrono::seconds(2));
  EXPECT_FALSE(d);
  EXPECT_EQ(errors(), Lines{});
}

TEST_F(NodeReaderTest, FailedReadsLeaveTheDefaultAndReport) {
  const MapReader r = reader("a: many\nb: [1]\nc:\n", {"a", "b", "c"});
  std::uint32_t a = 7;
  std::uint32_t b = 7;
  std::uint32_t c = 7;
  EXPECT_FALSE(r.read("a", a, count_type(0, 10)));
  EXPECT_FALSE(r.read("b", b, count_type(0, 10)));
  EXPECT_FALSE(r.read("c", c, count_type(0, 10)));
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(b, 7u);
  EXPECT_EQ(c, 7u);
  EXPECT_EQ(errors(), (Lines{"1:4: section.a: expected an integer, got 'many'",
                             "2:4: section.b: expected an integer, got a list",
                             "3:1: section.c: expected an integer, got an empty value"}));
  EXPECT_TRUE(ctx_.has_invalid("section.a"));
  EXPECT_TRUE(ctx_.has_invalid("section"));
  EXPECT_FALSE(ctx_.has_invalid("sect"));
}

TEST_F(NodeReaderTest, UnknownKeysGetSuggestions) {
  reader("replcas: 1\nfoo: 2\nx-ext: 3\n", {"replicas", "ports"}, "services.web");
  EXPECT_EQ(errors(),
            (Lines{"1:1: unknown key 'replcas' in service 'web' (did you mean 'replicas'?)",
                   "2:1: unknown key 'foo' in service 'web'",
                   "3:1: unknown key 'x-ext' in service 'web'"}));
}

TEST_F(NodeReaderTest, DuplicateKeysAreReported) {
  const MapReader r = reader("a: 1\nb: 2\na: 3\n", {"a", "b"});
  std::uint32_t a = 0;
  r.read("a", a, count_type(0, 10));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(errors(), Lines{"3:1: duplicate key 'a' in section (first given on line 1)"});
}

TEST_F(NodeReaderTest, MergeKeysFillInWithoutOverriding) {
  const MapReader r =
      reader("base: &base { a: 1, b: 2 }\nthing:\n  <<: *base\n  b: 3\n", {"base", "thing"});
  const auto thing = r.child("thing", {"a", "b"});
  ASSERT_TRUE(thing);
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  thing->read("a", a, count_type(0, 10));
  thing->read("b", b, count_type(0, 10));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 3u);
  EXPECT_EQ(errors(), Lines{});
}

TEST_F(NodeReaderTest, MergeKeyNeedsAMapping) {
  reader("thing:\n  <<: 5\n", {"thing"}).child("thing", {"a"});
  EXPECT_EQ(errors(), Lines{"2:7: section.thing.<<: a merge key ('<<') needs a mapping, got '5'"});
}

TEST_F(NodeReaderTest, ListsAcceptSingleValuesOnlyWhenAsked) {
  const MapReader r = reader("one: 200\nmany: [200, 204]\nbad: [200, x]\n", {"one", "many", "bad"});
  std::vector<int> one;
  std::vector<int> many;
  std::vector<int> bad{1};
  EXPECT_TRUE(r.read_list("one", one, http_status_type(), /*allow_single=*/true));
  EXPECT_TRUE(r.read_list("many", many, http_status_type()));
  EXPECT_FALSE(r.read_list("bad", bad, http_status_type()));
  EXPECT_EQ(one, std::vector<int>{200});
  EXPECT_EQ(many, (std::vector<int>{200, 204}));
  EXPECT_EQ(bad, std::vector<int>{1});
  std::vector<int> strict;
  EXPECT_FALSE(r.read_list("one", strict, http_status_type()));
  EXPECT_EQ(errors(), (Lines{"1:6: section.one: expected a list, got '200'",
                             "3:12: section.bad[1]: expected an integer, got 'x'"}));
}

TEST_F(NodeReaderTest, RequireExclusiveAndExactlyOne) {
  const MapReader r = reader("a: 1\nb: 2\nc: 3\n", {"a", "b", "c", "d"});
  EXPECT_TRUE(r.require("a"));
  EXPECT_FALSE(r.require("d"));
  EXPECT_FALSE(r.exclusive("c", "a"));
  EXPECT_TRUE(r.exclusive("a", "d"));
  EXPECT_EQ(r.exactly_one({"a", "d"})->name, "a");
  EXPECT_EQ(r.exactly_one({"a", "b", "c"}), nullptr);
  EXPECT_EQ(r.exactly_one({"d"}), nullptr);
  EXPECT_EQ(errors(),
            (Lines{"1:1: missing required key 'd' in section", "1:1: section needs one of 'd'",
                   "2:1: 'a' and 'b' are mutually exclusive in section",
                   "3:1: 'a' and 'c' are mutually exclusive in section",
                   "3:1: 'a' and 'c' are mutually exclusive in section"}));
}

TEST_F(NodeReaderTest, ReadingAnUndeclaredKeyIsAProgrammingError) {
  const MapReader r = reader("a: 1\n", {"a"});
  std::uint32_t b = 0;
  EXPECT_THROW(r.read("b", b, count_type(0, 1)), std::logic_error);
}

TEST_F(NodeReaderTest, PathsResolveAgainstTheBaseDirectory) {
  const MapReader r = reader("rel: data/x\nabs: /etc/x\ndots: ../up\n", {"rel", "abs", "dots"});
  std::filesystem::path rel;
  std::filesystem::path abs;
  std::optional<std::filesystem::path> dots;
  r.read_path("rel", rel);
  r.read_path("abs", abs);
  r.read_path("dots", dots);
  EXPECT_EQ(rel, "/base/data/x");
  EXPECT_EQ(abs, "/etc/x");
  EXPECT_EQ(dots, "/up");
}

TEST(DescribePath, NamesServicesAndUpstreams) {
  EXPECT_EQ(describe_path(""), "the top level");
  EXPECT_EQ(describe_path("services.web"), "service 'web'");
  EXPECT_EQ(describe_path("upstreams.app"), "upstream 'app'");
  EXPECT_EQ(describe_path("services.web.restart"), "services.web.restart");
  EXPECT_EQ(describe_path("services"), "services");
  EXPECT_EQ(describe_path("routes[0]"), "routes[0]");
}

}  // namespace
}  // namespace flotilla::config
