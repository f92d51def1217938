// Compares two framing verdicts on the same stream and describes where they part.
// Owns the definition of "same framing"; must never excuse a difference (intended_differences
// does).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "framing.hpp"

namespace flotilla::fuzz {

// The first place where flotilla's and llhttp's verdicts disagree.
struct Divergence {
  const FuzzCase* input = nullptr;
  const StreamVerdict* flotilla = nullptr;
  const StreamVerdict* llhttp = nullptr;
  std::size_t index = 0;  // the first message whose framing differs
  std::string what;       // which fact differs, e.g. "body_length 5 vs 0"
  // Message `index` as each side parsed it: the complete message, or the head of the message
  // the stream stopped in; null when that side never completed its head.
  const MessageFraming* fl = nullptr;
  const MessageFraming* ll = nullptr;
  bool fl_complete = false;  // message `index` is complete on that side
  bool ll_complete = false;
};

// nullopt when both parsers frame the stream identically: the same complete messages (start,
// end, method, target, status, version, header count, body length, keep-alive) and the same way
// of stopping (a rejection matches a rejection whatever the error).
std::optional<Divergence> first_divergence(const FuzzCase& c, const StreamVerdict& flotilla,
                                           const StreamVerdict& llhttp);

// Exact equality, error codes and evidence included: flotilla against itself on another split.
bool identical(const StreamVerdict& a, const StreamVerdict& b);

// A multi-line report: the input (escaped), both verdicts, and the divergence.
std::string describe(const FuzzCase& c, const StreamVerdict& flotilla, const StreamVerdict& llhttp,
                     const Divergence* d);
std::string escape(std::string_view bytes);

}  // namespace flotilla::fuzz
