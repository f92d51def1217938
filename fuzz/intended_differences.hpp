// The documented list of places where flotilla frames HTTP differently from llhttp on purpose.
// Owns the excuses, one named predicate each; must never excuse a difference it cannot justify.
#pragma once

#include <span>
#include <string_view>

#include "compare.hpp"

namespace flotilla::fuzz {

struct IntendedDifference {
  std::string_view name;
  bool (*applies)(const Divergence&);
};

// Every intended difference, in the order they are tried.
std::span<const IntendedDifference> intended_differences();

// The first intended difference that explains `d`, or null: a real difference. Predicates that
// re-run flotilla differently (bigger limits, a completed head) explain the new divergence with
// the others, never with themselves (`except`).
const IntendedDifference* explain(const Divergence& d, std::string_view except = {});

}  // namespace flotilla::fuzz
