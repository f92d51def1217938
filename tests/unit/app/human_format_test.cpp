#include "app/human_format.hpp"

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

using nlohmann::json;

TEST(FormatAge, TwoUnitsAtMost) {
  EXPECT_EQ(format_age(0), "0s");
  EXPECT_EQ(format_age(45.9), "45s");
  EXPECT_EQ(format_age(60), "1m");
  EXPECT_EQ(format_age(123), "2m3s");
  EXPECT_EQ(format_age(3720), "1h2m");
  EXPECT_EQ(format_age(7200), "2h");
  EXPECT_EQ(format_age(93600), "1d2h");
  EXPECT_EQ(format_age(-1), "-");
}

TEST(FormatBytes, PowersOf1024) {
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(1536), "1.5Ki");
  EXPECT_EQ(format_bytes(12.3 * 1024 * 1024), "12.3Mi");
  EXPECT_EQ(format_bytes(2.0 * 1024 * 1024 * 1024), "2.0Gi");
}

TEST(FieldText, NullsAndTypes) {
  const json object{{"s", "text"}, {"i", 42},      {"n", -3},    {"f", 1.25},
                    {"b", true},   {"z", nullptr}, {"a", {1, 2}}};
  EXPECT_EQ(field_text(object, "s"), "text");
  EXPECT_EQ(field_text(object, "i"), "42");
  EXPECT_EQ(field_text(object, "n"), "-3");
  EXPECT_EQ(field_text(object, "f"), "1.2");
  EXPECT_EQ(field_text(object, "b"), "yes");
  EXPECT_EQ(field_text(object, "z"), "-");
  EXPECT_EQ(field_text(object, "missing"), "-");
  EXPECT_EQ(field_text(object, "a"), "[1,2]");
  EXPECT_EQ(field_text(json("not an object"), "s"), "-");
  EXPECT_TRUE(field_true(object, "b"));
  EXPECT_FALSE(field_true(object, "i"));
  EXPECT_EQ(field_number(object, "f"), 1.25);
  EXPECT_EQ(field_number(object, "s"), std::nullopt);
}

TEST(CommandText, StringOrList) {
  EXPECT_EQ(command_text(json("python3 app.py")), "python3 app.py");
  EXPECT_EQ(command_text(json{"python3", "app.py"}), "python3 app.py");
  EXPECT_EQ(command_text(json()), "-");
}

TEST(FormatTime, StringsVerbatimNumbersAsLocalTime) {
  EXPECT_EQ(format_time(json("2024-05-01T12:00:00Z")), "2024-05-01T12:00:00Z");
  EXPECT_EQ(format_time(json()), "-");
  const std::string rendered = format_time(json(1714564800));
  EXPECT_EQ(rendered.size(), std::string("2024-05-01 12:00:00").size()) << rendered;
  EXPECT_EQ(rendered.substr(0, 4), "2024");
}

}  // namespace
}  // namespace flotilla::app
