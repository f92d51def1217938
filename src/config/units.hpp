// Pure parsers for the value syntaxes of the config file (durations, sizes, rates, CPU,
// percentages, addresses, port ranges) and their inverse formatting. No YAML, no positions,
// no I/O: each takes the text and returns a value or a precise message naming the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/parse_result.hpp"
#include "config/values.hpp"

namespace flotilla::config {

// "250ms", "30s", "5m", "1h", "1d", "1y" (365d), compounds like "1h30m", decimals like "1.5s",
// and a bare "0". Anything finer than a millisecond is an error, not silently rounded.
ParseResult<Duration> parse_duration(std::string_view text);

// Bytes: "100", "10k"/"10K", "1M", "1G", "1T" (powers of 1000), "8Ki", "512Mi", "1Gi", "1Ti"
// (powers of 1024), each optionally followed by "B" ("8KiB", "1MB"); "1.5Gi" when whole bytes.
ParseResult<std::uint64_t> parse_size(std::string_view text);

// "100/min", "10/s", "5/h", "1000/day": a count per period (s, sec, second, m, min, minute,
// h, hour, d, day).
ParseResult<Rate> parse_rate(std::string_view text);

// CPU as Kubernetes writes it: "500m" (millicores), "1.5" or "2" (cores). Returns millicores.
ParseResult<std::uint32_t> parse_cpu(std::string_view text);

// "70%" or "12.5%" in [0, 100]. Returns the percentage (70.0), not a fraction.
ParseResult<double> parse_percent(std::string_view text);

// "3" or "25%" (a whole percentage), as in Kubernetes rolling-update sizes.
ParseResult<IntOrPercent> parse_int_or_percent(std::string_view text);

// Decimal integer in [min, max]; no sign unless min < 0, no spaces, no suffix.
ParseResult<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);

// "host:port", "[::1]:port", "*:port" (stored as 0.0.0.0) or "unix:/path". Port 0 is accepted
// here (tests bind ephemeral ports); callers that connect rather than listen reject it.
ParseResult<Address> parse_address(std::string_view text);

// "8000-8099" or a single "8000"; ports 1-65535, first <= last.
ParseResult<PortRange> parse_port_range(std::string_view text);

// Inverses, for messages and exporters: "0.0.0.0:80", "[::1]:8080", "unix:/run/x.sock";
// "8000-8099"; "90s" → "1m30s".
std::string format_address(const Address& address);
std::string format_port_range(const PortRange& range);
std::string format_duration(Duration duration);

}  // namespace flotilla::config
