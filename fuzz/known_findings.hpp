// Real codec bugs the fuzzer found that are not fixed yet, each with a reproducer in findings/.
// Owns their matchers; must never hold an intended difference (those are in intended_differences).
#pragma once

#include <span>
#include <string_view>

#include "compare.hpp"

namespace flotilla::fuzz {

struct KnownFinding {
  std::string_view name;  // fuzz/findings/<name>.txt
  bool (*matches)(const Divergence&);
};

std::span<const KnownFinding> known_findings();

// The known finding `d` looks like, or null. Never an excuse by itself: the harness still aborts
// on it unless FLOTILLA_FUZZ_SKIP_FINDINGS=1 (to keep fuzzing past a bug while it is being fixed).
const KnownFinding* match_known_finding(const Divergence& d);

// FLOTILLA_FUZZ_SKIP_FINDINGS is set: a known finding counts as explained.
bool skipping_known_findings();

}  // namespace flotilla::fuzz
