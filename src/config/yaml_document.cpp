// Documents are first walked with a no-op event handler, one at a time and at most two, so a
// parser that stops advancing is caught instead of looping; then the first one is built.
#include "config/yaml_document.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

namespace flotilla::config {
namespace {

// Remembers where a document starts; ignores its content.
class DocumentStart final : public YAML::EventHandler {
 public:
  YAML::Mark mark = YAML::Mark::null_mark();
  void OnDocumentStart(const YAML::Mark& m) override { mark = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

YamlDocument failure(std::string message, SourcePos pos) {
  return YamlDocument{YAML::Node(), std::move(message), pos};
}

}  // namespace

SourcePos to_pos(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return {};
  return SourcePos{mark.line + 1, mark.column + 1};
}

YamlDocument read_yaml_document(std::string_view text) {
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    DocumentStart first;
    if (!parser.HandleNextDocument(first)) return YamlDocument{};  // nothing but comments
    DocumentStart second;
    if (parser.HandleNextDocument(second)) {
      if (second.mark.pos == first.mark.pos) {  // stuck: the text cannot start a document
        const std::size_t at = static_cast<std::size_t>(std::max(0, first.mark.pos));
        const char c = at < text.size() ? text[at] : ' ';
        return failure(fmt::format("invalid YAML: unexpected '{}'", c), to_pos(first.mark));
      }
      return failure("only one YAML document is allowed (remove the second '---')",
                     to_pos(second.mark));
    }
    return YamlDocument{YAML::Load(std::string(text)), {}, {}};
  } catch (const YAML::Exception& e) {
    return failure(fmt::format("invalid YAML: {}", e.msg), to_pos(e.mark));
  }
}

}  // namespace flotilla::config
