// Real codec bugs the fuzzer found that are not fixed yet, each with a reproducer in findings/.
// Owns their matchers; must never hold an intended difference (those are in intended_differences).
// Delete an entry (and its findings/ file) once the codec is fixed.
#include "known_findings.hpp"

#include <array>
#include <cstdlib>

namespace flotilla::fuzz {
namespace {

// Empty: every finding so far is fixed (response_host_validated: the response parser applied the
// request-only Host rules; regression seed corpus/resp_host_fields.txt, unit test in
// tests/unit/http/response_parser_test.cpp).
constexpr std::array<KnownFinding, 0> kFindings{};

}  // namespace

std::span<const KnownFinding> known_findings() {
  return kFindings;
}

bool skipping_known_findings() {
  static const bool skip = std::getenv("FLOTILLA_FUZZ_SKIP_FINDINGS") != nullptr;
  return skip;
}

const KnownFinding* match_known_finding(const Divergence& d) {
  for (const KnownFinding& f : kFindings) {
    if (f.matches(d)) return &f;
  }
  return nullptr;
}

}  // namespace flotilla::fuzz
