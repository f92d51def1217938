// Layout of `flotilla history` (like `kubectl rollout history`, with the command and env that
// make each revision).
#include "app/history_view.hpp"

#include <fmt/format.h>

#include "app/human_format.hpp"
#include "app/table.hpp"

namespace flotilla::app {
namespace {

// How the revision's rollout ended: "rolled back: <why>", else "current" for the revision
// running now and "replaced" for one a later rollout took over from.
std::string outcome_text(const nlohmann::json& revision, bool current) {
  const std::string outcome = field_text(revision, "outcome");
  if (outcome != kNone && !outcome.empty()) return outcome;
  return current ? "current" : "replaced";
}

}  // namespace

std::string render_history(const nlohmann::json& revisions) {
  const std::string current = field_text(revisions, "current");
  Table table({"", "REVISION", "CREATED", "REPLICAS", "CAUSE", "OUTCOME", "COMMAND", "ENV"});
  const auto list = revisions.is_object() ? revisions.find("revisions") : revisions.end();
  if (list != revisions.end() && list->is_array()) {
    for (const nlohmann::json& revision : *list) {
      const std::string number = field_text(revision, "revision");
      std::string env;
      if (revision.is_object() && revision.contains("env") && revision["env"].is_object()) {
        for (const auto& [name, value] : revision["env"].items()) {
          if (!env.empty()) env += ' ';
          env += fmt::format("{}={}", name,
                             value.is_string() ? value.get<std::string>() : value.dump());
        }
      }
      table.add_row({number == current ? "*" : "", number,
                     format_time(revision.is_object() ? revision.value("created", nlohmann::json())
                                                      : nlohmann::json()),
                     field_text(revision, "replicas"), field_text(revision, "cause"),
                     outcome_text(revision, number == current),
                     command_text(revision.is_object() ? revision.value("command", nlohmann::json())
                                                       : nlohmann::json()),
                     env.empty() ? std::string(kNone) : env});
    }
  }
  if (table.empty()) return fmt::format("{}: no revisions\n", field_text(revisions, "service"));
  return table.render();
}

}  // namespace flotilla::app
