// Real codec bugs the fuzzer found that are not fixed yet, each with a reproducer in findings/.
// Owns their matchers; must never hold an intended difference (those are in intended_differences).
// Delete an entry (and its findings/ file) once the codec is fixed.
#include "known_findings.hpp"

#include <array>
#include <cstdlib>

#include "evidence.hpp"
#include "http/parse_error.hpp"

namespace flotilla::fuzz {
namespace {

using http::ParseError;

// ResponseParser applies the request-only Host rules (RFC 9112 §3.2) to responses: a response
// with two Host lines or a Host value with a space is a 502, though Host means nothing there and
// response_parser.hpp does not list that rule.
bool response_host_validated(const Divergence& d) {
  const int e = d.flotilla->error_code;
  return d.input->response_mode && d.flotilla->end == StreamEnd::kRejected &&
         d.index == d.flotilla->messages.size() && !d.flotilla->tail_head_complete &&
         (e == static_cast<int>(ParseError::kDuplicateHost) ||
          e == static_cast<int>(ParseError::kInvalidHost)) &&
         d.ll != nullptr && evidence::count_headers(*d.ll, "host") > 0;
}

constexpr std::array kFindings{
    KnownFinding{"response_host_validated", response_host_validated},
};

}  // namespace

std::span<const KnownFinding> known_findings() { return kFindings; }

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
