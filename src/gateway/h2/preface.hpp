// Telling an HTTP/2 client with prior knowledge (h2c) from an HTTP/1 one on a plain listener:
// the client connection preface of RFC 9113 §3.4, which no HTTP/1 request begins with. Pure.
#pragma once

#include <string_view>

namespace flotilla::gateway::h2 {

inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class PrefaceMatch { kNo, kPartial, kYes };

// kPartial: the bytes so far are a proper prefix of the preface (read more before deciding).
constexpr PrefaceMatch match_preface(std::string_view received) noexcept {
  const std::size_t n =
      received.size() < kClientPreface.size() ? received.size() : kClientPreface.size();
  if (received.substr(0, n) != kClientPreface.substr(0, n)) return PrefaceMatch::kNo;
  return n == kClientPreface.size() ? PrefaceMatch::kYes : PrefaceMatch::kPartial;
}

}  // namespace flotilla::gateway::h2
