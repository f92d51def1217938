// Reading the one YAML document: syntax errors, extra documents, and streams yaml-cpp 0.7
// cannot get past.
#include "config/yaml_document.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace flotilla::config {
namespace {

std::string outcome(std::string_view text) {
  const YamlDocument doc = read_yaml_document(text);
  if (!doc.ok())
    return fmt::format("{}:{}: {}", doc.error_pos.line, doc.error_pos.column, doc.error);
  return doc.root.IsNull() ? "empty" : doc.root.IsMap() ? "mapping" : "other";
}

TEST(ReadYamlDocument, OneDocument) {
  EXPECT_EQ(outcome("a: 1\n"), "mapping");
  EXPECT_EQ(outcome("---\na: 1\n"), "mapping");
  EXPECT_EQ(outcome("---\na: 1\n...\n"), "mapping");
  EXPECT_EQ(outcome("- 1\n"), "other");
}

TEST(ReadYamlDocument, NoDocument) {
  EXPECT_EQ(outcome(""), "empty");
  EXPECT_EQ(outcome("# only a comment\n\n"), "empty");
}

TEST(ReadYamlDocument, SyntaxErrorsHaveAPosition) {
  EXPECT_EQ(outcome("a: [1\nb: 2\n"), "2:2: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(outcome("a: b: c\n"), "1:5: invalid YAML: illegal map value");
}

TEST(ReadYamlDocument, ASecondDocumentIsAnError) {
  EXPECT_EQ(outcome("a: 1\n---\nb: 2\n"),
            "2:1: only one YAML document is allowed (remove the second '---')");
  EXPECT_EQ(outcome("a: 1\n---\n"),
            "2:1: only one YAML document is allowed (remove the second '---')");
}

TEST(ReadYamlDocument, AStreamThatCannotStartIsAnErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll allocates without end on these.
  EXPECT_EQ(outcome(", a\nb: 1\n"), "1:1: invalid YAML: unexpected ','");
  EXPECT_EQ(outcome("# comment\n, the default\nlisten: []\n"), "2:1: invalid YAML: unexpected ','");
}

TEST(ToPos, IsOneBased) {
  YAML::Mark mark;
  mark.line = 0;
  mark.column = 4;
  EXPECT_EQ(to_pos(mark), (SourcePos{1, 5}));
  EXPECT_EQ(to_pos(YAML::Mark::null_mark()), SourcePos{});
}

}  // namespace
}  // namespace flotilla::config
