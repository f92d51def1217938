// Drives flotilla's HTTP/1.1 codec over a stream the way the proxy does, and checks its contracts.
// Owns the read loop of the fuzz harness; must never look at llhttp's verdict.
#pragma once

#include <cstddef>
#include <span>

#include "framing.hpp"
#include "http/limits.hpp"

namespace flotilla::fuzz {

// Small limits, so that inputs of a few KB reach every limit check (the defaults are 8 KB).
struct DriverLimits {
  http::Limits head{.max_request_line = 256, .max_header_bytes = 1024, .max_headers = 16};
  http::ChunkedLimits chunked{.max_chunk_line = 64, .max_trailer_bytes = 256};
};

// Parses `c.stream` as pipelined requests (or as responses) with RequestParser/ResponseParser and
// BodyReader. The bytes arrive in reads ending at each offset of `splits` (ascending, within the
// stream) and then at its end, as a socket would deliver them. Aborts with a message when one of
// the codec's contracts breaks (consumed beyond the input, no progress, non-sticky errors…).
StreamVerdict run_flotilla(const FuzzCase& c, std::span<const std::size_t> splits,
                           const DriverLimits& limits);

}  // namespace flotilla::fuzz
