// How a rollout's progress reads in the terminal: the one-line state of GET .../rollout, a
// progress bar, and the closing sentence. Pure; the waiting loop lives in rollout_wait.cpp.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flotilla::app {

// Terminal rollout states: the wait ends on any of them.
bool rollout_finished(const nlohmann::json& rollout);
// succeeded → true; rolled_back / failed → false (exit 1).
bool rollout_succeeded(const nlohmann::json& rollout);

// "[#########-----------]" of `width` cells between the brackets, `fraction` clamped to [0, 1].
std::string progress_bar(double fraction, int width);
// "web 3→4 [######----] updated 2/3 ready 1/3 · starting new instances" (bar only when
// `with_bar`): a line for the terminal or a log.
std::string rollout_progress_line(const nlohmann::json& rollout, bool with_bar);
// "web: rollout to revision 4 succeeded", "... rolled back to revision 3: <why>", ...,
// "web: no change (already revision 3)" when no revision was made.
std::string rollout_summary(const nlohmann::json& rollout);

}  // namespace flotilla::app
