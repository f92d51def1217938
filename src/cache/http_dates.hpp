// HTTP-date (RFC 9110 §5.6.7) parsing for Date, Expires, Last-Modified and If-Modified-Since:
// IMF-fixdate, RFC 850 and asctime. Pure; never reads a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::cache {

// Seconds since the epoch, or nullopt for anything that is not one of the three forms.
std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept;
// IMF-fixdate of `seconds` ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string format_http_date(std::int64_t seconds);

}  // namespace flotilla::cache
