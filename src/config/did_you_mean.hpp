// "did you mean 'replicas'?" suggestions for misspelt keys, enum values and references.
// Pure string functions; callers decide where a suggestion is shown.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::config {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost 1 ("replcias" is 1 away from "replicas").
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate at distance <= 2 that is not mostly different (distance at most half
// its length), first one on ties; nothing when no candidate is close enough.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace flotilla::config
