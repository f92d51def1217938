// The reference verdict: llhttp (Node.js's HTTP parser, Debian node-llhttp 8.1) run on a stream.
// Owns only the glue to llhttp's C API; must never be linked into flotilla, only into the fuzzer.
#pragma once

#include "framing.hpp"

namespace flotilla::fuzz {

// Parses `c.stream` as pipelined requests (or responses to GET/HEAD per c.head_mask) with every
// lenient flag off, and reports each complete message with the stream offset where it ends.
StreamVerdict run_llhttp(const FuzzCase& c);

}  // namespace flotilla::fuzz
