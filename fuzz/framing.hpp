// What the differential fuzzer compares: one parser's framing verdict on a byte stream.
// Plain structs shared by the flotilla driver, the llhttp oracle and the comparison; no behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flotilla::fuzz {

// How a stream of messages stopped.
enum class StreamEnd : std::uint8_t {
  kClean,       // input ended exactly after a message (or only idle CRLFs followed)
  kIncomplete,  // input ended inside a message: the parser wants more bytes
  kRejected,    // a protocol error
  kClosed,      // a message said the connection does not persist: later bytes are ignored
  kUpgraded,    // CONNECT / Upgrade / 101: later bytes are another protocol
};

constexpr std::string_view to_string(StreamEnd e) noexcept {
  switch (e) {
    case StreamEnd::kClean:
      return "clean";
    case StreamEnd::kIncomplete:
      return "incomplete";
    case StreamEnd::kRejected:
      return "rejected";
    case StreamEnd::kClosed:
      return "closed";
    case StreamEnd::kUpgraded:
      return "upgraded";
  }
  return "?";
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The framing-relevant facts of one complete message. Fields that one mode does not use stay at
// their defaults (method/target for responses, status for requests).
struct MessageFraming {
  std::string method;
  std::string target;
  int status = 0;
  int version_major = 0;
  int version_minor = 0;
  std::size_t header_count = 0;
  std::uint64_t body_length = 0;  // decoded body bytes (chunk framing excluded)
  bool keep_alive = false;
  std::size_t start = 0;  // stream offset of the message's first byte (after skipped CRLFs)
  std::size_t end = 0;    // stream offset just past the message's last byte
  // Stream offset just past the head's empty line; flotilla only (llhttp does not report it),
  // not compared: evidence for the predicates that look at the body's raw bytes.
  std::size_t head_end = 0;
  // Evidence for the intended-difference predicates, not compared: the head's fields as the
  // parser saw them (value OWS-trimmed by flotilla; as delivered by llhttp).
  HeaderList headers;
};

struct StreamVerdict {
  std::vector<MessageFraming> messages;  // complete messages, in order
  StreamEnd end = StreamEnd::kClean;
  // Where the unfinished message (kIncomplete / kRejected) began, and whether its head was
  // complete when the stream stopped: an error in the body is a different story from one in
  // the head.
  std::size_t tail_start = 0;
  bool tail_head_complete = false;
  // The head of the unfinished message when it was complete (kIncomplete / kRejected in the
  // body), for the predicates.
  MessageFraming tail_head;
  int error_code = 0;      // flotilla ParseError or llhttp_errno, 0 if none
  std::string error_name;  // human-readable, for the report
};

// One fuzz input, decoded from the raw bytes (see http_framing_fuzz.cpp for the layout).
struct FuzzCase {
  bool response_mode = false;
  // Response mode: bit k says the k-th final response answers a HEAD (else GET); k < 7.
  std::uint8_t head_mask = 0;
  std::string_view stream;

  bool answers_head(std::size_t final_response_index) const noexcept {
    return final_response_index < 7 && ((head_mask >> final_response_index) & 1U) != 0;
  }
};

}  // namespace flotilla::fuzz
