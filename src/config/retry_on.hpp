// The retry vocabulary (nginx's proxy_next_upstream): the one list of conditions a route may
// retry on, with the names the config, the metrics and the docs use, and the bit each takes in
// a policy's mask. Types and constants only; config, gateway and observe all read it from here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace flotilla::config {

enum class RetryOn : std::uint8_t {
  error,           // connect failure, reset, closed before a response head
  timeout,         // connect / send / read timeout
  invalid_header,  // an unparsable response head
  http_500,
  http_502,
  http_503,
  http_504,
  http_429,
  // Not a failure of its own but a permission: the connection broke because the supervised
  // instance crashed by itself while holding the request. Without it, such a request is replayed
  // at most once and never when it was the only one in flight (a query of death costs one
  // instance); with it, replayed like any `error` (and counted as one).
  crashed,
};

// The conditions retries are counted under (every one but `crashed`).
inline constexpr std::size_t kRetryOnCount = 8;

// Indexed by RetryOn below `crashed`: the names in `retry.on`, and the `reason` label of
// flotilla_retries_total.
inline constexpr std::array<std::string_view, kRetryOnCount> kRetryOnNames = {
    "error",    "timeout",  "invalid_header", "http_500",
    "http_502", "http_503", "http_504",       "http_429"};

constexpr std::string_view to_string(RetryOn on) noexcept {
  if (on == RetryOn::crashed) return "crashed";
  return kRetryOnNames[static_cast<std::size_t>(on)];
}

// The condition's bit in a policy mask.
constexpr std::uint32_t retry_bit(RetryOn on) noexcept {
  return std::uint32_t{1} << static_cast<unsigned>(on);
}

// The condition an HTTP status names (http_500...), if any.
constexpr std::optional<RetryOn> retry_on_status(int status) noexcept {
  switch (status) {
    case 500:
      return RetryOn::http_500;
    case 502:
      return RetryOn::http_502;
    case 503:
      return RetryOn::http_503;
    case 504:
      return RetryOn::http_504;
    case 429:
      return RetryOn::http_429;
    default:
      return std::nullopt;
  }
}

}  // namespace flotilla::config
