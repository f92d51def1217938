// libFuzzer entry point: differential fuzzing of flotilla's HTTP/1.1 framing against llhttp.
// Owns the per-input checks; must never excuse a difference outside intended_differences.cpp.
//
// What it checks, for every input:
//  1. The first byte picks the mode; the rest is the stream. Even: a stream of pipelined
//     requests, as a client sends them. Odd: a stream of responses, as an upstream sends them,
//     where bit k+1 of that byte says the k-th final response answers a HEAD (k < 7; later ones
//     answer GET). Seeds in corpus/ start with 'R' (0x52: requests), '!' (0x21: responses, the
//     first four to GET) or 'C' (0x43: the first response answers HEAD).
//  2. flotilla's RequestParser / ResponseParser + BodyReader (ChunkedDecoder) frame the stream
//     the way the proxy's read loop does (flotilla_driver.cpp), with small limits so that a few
//     KB of input reach every limit; llhttp 8.1 with no lenient flag frames it too
//     (llhttp_oracle.cpp).
//  3. The FRAMING verdicts must agree (compare.cpp): the same complete messages — where each
//     starts and ends (bytes consumed), method, target, status, version, header count, decoded
//     body length, keep-alive — and the same way the stream stops (clean end, incomplete,
//     rejected, connection closed, upgraded). A rejection matches a rejection whatever the
//     reason.
//  4. Any disagreement aborts with both verdicts on stderr unless one of the named predicates in
//     intended_differences.cpp explains it (flotilla is deliberately stricter than llhttp in a
//     few documented ways, e.g. Host is required on HTTP/1.1).
//  5. flotilla's own contracts (flotilla_driver.cpp): consumed never exceeds the input, heads end
//     with CRLF CRLF, views stay inside the buffer, every body step makes progress, errors are
//     sticky, Content-Length bodies have that length. And the verdict must not depend on how the
//     bytes were split across reads: the stream is parsed whole, in three reads at offsets
//     derived from a hash of the input, and (inputs up to 512 bytes) one byte per read; the
//     three verdicts must be identical, error codes included.
//  ASan/UBSan (the build flags) catch memory errors and UB on the way.
//
//  6. A difference that matches a known, not yet fixed codec bug (known_findings.cpp, reproducers
//     in findings/) still aborts, naming the finding; FLOTILLA_FUZZ_SKIP_FINDINGS=1 fuzzes past.
//
// FLOTILLA_FUZZ_STATS=1 in the environment prints, at exit, how often each intended difference
// fired. Build and run with fuzz/run.sh; the build has a second binary, http_framing_fuzz_planted,
// whose driver lets Transfer-Encoding win over Content-Length, to prove the harness notices.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compare.hpp"
#include "flotilla_driver.hpp"
#include "framing.hpp"
#include "intended_differences.hpp"
#include "known_findings.hpp"
#include "llhttp_oracle.hpp"

namespace flotilla::fuzz {
namespace {

constexpr std::size_t kBytewiseMax = 512;

struct Stats {
  std::size_t inputs = 0;
  std::size_t agreed = 0;
  std::vector<std::size_t> intended = std::vector<std::size_t>(intended_differences().size());
  std::vector<std::size_t> findings = std::vector<std::size_t>(known_findings().size());
};

Stats& stats() {
  static Stats s;
  return s;
}

void print_stats() {
  const Stats& s = stats();
  std::fprintf(stderr, "fuzz stats: %zu inputs, %zu framed identically\n", s.inputs, s.agreed);
  const auto list = intended_differences();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::fprintf(stderr, "  %-40.*s %zu\n", static_cast<int>(list[i].name.size()),
                 list[i].name.data(), s.intended[i]);
  }
  const auto found = known_findings();
  for (std::size_t i = 0; i < found.size(); ++i) {
    std::fprintf(stderr, "  known finding %-26.*s %zu\n", static_cast<int>(found[i].name.size()),
                 found[i].name.data(), s.findings[i]);
  }
}

[[noreturn]] void report(const char* headline, const std::string& details) {
  std::fprintf(stderr, "\n=== %s ===\n%s=== end of report ===\n", headline, details.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

void check_split_invariance(const FuzzCase& c, const StreamVerdict& whole,
                            const DriverLimits& limits) {
  const std::size_t n = c.stream.size();
  const std::uint64_t h = fnv1a(c.stream);
  std::array<std::size_t, 2> cuts{static_cast<std::size_t>(h % (n + 1)),
                                  static_cast<std::size_t>((h >> 32) % (n + 1))};
  if (cuts[0] > cuts[1]) std::swap(cuts[0], cuts[1]);
  const StreamVerdict three = run_flotilla(c, cuts, limits);
  if (!identical(whole, three)) {
    report("flotilla verdict depends on how the bytes were split",
           "reads end at " + std::to_string(cuts[0]) + " and " + std::to_string(cuts[1]) + "\n" +
               describe(c, whole, three, nullptr) + "(the second verdict is the split one)\n");
  }
  if (n > kBytewiseMax) return;
  std::vector<std::size_t> every(n > 0 ? n - 1 : 0);
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i + 1;
  const StreamVerdict bytewise = run_flotilla(c, every, limits);
  if (!identical(whole, bytewise)) {
    report("flotilla verdict depends on how the bytes were split",
           "one byte per read\n" + describe(c, whole, bytewise, nullptr) +
               "(the second verdict is the byte-by-byte one)\n");
  }
}

}  // namespace
}  // namespace flotilla::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (std::getenv("FLOTILLA_FUZZ_STATS") != nullptr) {
    flotilla::fuzz::stats();  // constructed first, so destroyed after print_stats has run
    std::atexit(flotilla::fuzz::print_stats);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flotilla::fuzz;
  if (size == 0) return 0;
  FuzzCase c;
  c.response_mode = (data[0] & 1U) != 0;
  c.head_mask = static_cast<std::uint8_t>(data[0] >> 1);
  c.stream = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);

  static const DriverLimits limits;
  const StreamVerdict flotilla_verdict = run_flotilla(c, {}, limits);
  check_split_invariance(c, flotilla_verdict, limits);
  const StreamVerdict llhttp_verdict = run_llhttp(c);

  Stats& s = stats();
  ++s.inputs;
  const std::optional<Divergence> d = first_divergence(c, flotilla_verdict, llhttp_verdict);
  if (!d) {
    ++s.agreed;
    return 0;
  }
  if (const IntendedDifference* why = explain(*d)) {
    ++s.intended[static_cast<std::size_t>(why - intended_differences().data())];
    return 0;
  }
  std::string details = describe(c, flotilla_verdict, llhttp_verdict, &*d);
  if (const KnownFinding* bug = match_known_finding(*d)) {
    if (skipping_known_findings()) {
      ++s.findings[static_cast<std::size_t>(bug - known_findings().data())];
      return 0;
    }
    details += "this looks like the known finding fuzz/findings/" + std::string(bug->name) +
               ".txt (FLOTILLA_FUZZ_SKIP_FINDINGS=1 fuzzes past it)\n";
  }
  report("UNEXPECTED FRAMING DIFFERENCE between flotilla and llhttp", details);
}
