// Value syntaxes of the config file. Exact integer arithmetic (no floating-point rounding
// surprises) and one message shape: "invalid <what> '<text>': <reason>".
#include "config/units.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace flotilla::config {
namespace {

struct UnitScale {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::uint64_t kSecond = 1000;
constexpr std::uint64_t kDay = 86400 * kSecond;
constexpr std::array kDurationUnits{UnitScale{"ms", 1},           UnitScale{"s", kSecond},
                                    UnitScale{"m", 60 * kSecond}, UnitScale{"h", 3600 * kSecond},
                                    UnitScale{"d", kDay},         UnitScale{"y", 365 * kDay}};
constexpr std::string_view kDurationUnitList = "use ms, s, m, h, d, y";

constexpr std::array kSizeUnits{UnitScale{"", 1},
                                UnitScale{"k", 1000},
                                UnitScale{"K", 1000},
                                UnitScale{"M", 1000'000},
                                UnitScale{"G", 1000'000'000},
                                UnitScale{"T", 1000'000'000'000},
                                UnitScale{"Ki", 1ULL << 10},
                                UnitScale{"Mi", 1ULL << 20},
                                UnitScale{"Gi", 1ULL << 30},
                                UnitScale{"Ti", 1ULL << 40}};
constexpr std::string_view kSizeUnitList =
    "use k, M, G, T, Ki, Mi, Gi, Ti, optionally followed by B";

constexpr std::array kRatePeriods{UnitScale{"s", kSecond},        UnitScale{"sec", kSecond},
                                  UnitScale{"second", kSecond},   UnitScale{"m", 60 * kSecond},
                                  UnitScale{"min", 60 * kSecond}, UnitScale{"minute", 60 * kSecond},
                                  UnitScale{"h", 3600 * kSecond}, UnitScale{"hour", 3600 * kSecond},
                                  UnitScale{"d", kDay},           UnitScale{"day", kDay}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

template <std::size_t N>
const UnitScale* find_unit(const std::array<UnitScale, N>& units, std::string_view name) {
  for (const UnitScale& unit : units) {
    if (unit.name == name) return &unit;
  }
  return nullptr;
}

// A leading unsigned decimal number, split off whatever follows it (the unit).
struct Number {
  std::string_view whole;
  std::string_view fraction;
  std::string_view rest;
  bool valid = false;  // at least one digit, and digits after a '.'
};

Number split_number(std::string_view text) {
  Number number;
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  number.whole = text.substr(0, i);
  bool fraction_ok = true;
  if (i < text.size() && text[i] == '.') {
    std::size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    number.fraction = text.substr(i + 1, j - i - 1);
    fraction_ok = !number.fraction.empty();
    i = j;
  }
  number.rest = text.substr(i);
  number.valid = !number.whole.empty() && fraction_ok;
  return number;
}

enum class Scaled { ok, overflow, inexact };

// number * factor, exactly: "1.5" * 1000 = 1500; "1.0005" * 1000 is inexact.
Scaled scale(const Number& number, std::uint64_t factor, std::uint64_t& out) {
  using Wide = unsigned __int128;
  constexpr Wide kMax = std::numeric_limits<std::uint64_t>::max();
  Wide whole = 0;
  for (char c : number.whole) {
    whole = whole * 10 + static_cast<unsigned>(c - '0');
    if (whole > kMax) return Scaled::overflow;
  }
  Wide total = whole * factor;
  std::string_view fraction = number.fraction;
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > 18) return Scaled::inexact;
  Wide numerator = 0;
  Wide denominator = 1;
  for (char c : fraction) {
    numerator = numerator * 10 + static_cast<unsigned>(c - '0');
    denominator *= 10;
  }
  numerator *= factor;
  if (numerator % denominator != 0) return Scaled::inexact;
  total += numerator / denominator;
  if (total > kMax) return Scaled::overflow;
  out = static_cast<std::uint64_t>(total);
  return Scaled::ok;
}

ParseError invalid(std::string_view what, std::string_view text, std::string_view reason) {
  return parse_error(fmt::format("invalid {} '{}': {}", what, text, reason));
}

// Shared by sizes and CPU: one number, one unit from `units`.
ParseResult<std::uint64_t> parse_scaled(std::string_view what, std::string_view text,
                                        std::string_view unit, const UnitScale* scale_unit,
                                        const Number& number, std::string_view unit_list,
                                        std::string_view inexact_reason) {
  if (scale_unit == nullptr) {
    return invalid(what, text, fmt::format("unknown unit '{}' ({})", unit, unit_list));
  }
  std::uint64_t value = 0;
  switch (scale(number, scale_unit->factor, value)) {
    case Scaled::overflow:
      return invalid(what, text, "too large");
    case Scaled::inexact:
      return invalid(what, text, inexact_reason);
    case Scaled::ok:
      break;
  }
  return value;
}

std::optional<std::uint32_t> parse_port_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  std::uint32_t port = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return port;
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  for (char c : host) {
    const bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return host.find("..") == std::string_view::npos;
}

bool is_ip(int family, const std::string& host) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(family, host.c_str(), buffer.data()) == 1;
}

}  // namespace

ParseResult<Duration> parse_duration(std::string_view text) {
  constexpr std::string_view kWhat = "duration";
  if (text.empty()) return invalid(kWhat, text, "empty");
  if (text == "0") return Duration{0};
  if (text.front() == '-') return invalid(kWhat, text, "must not be negative");
  std::uint64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const Number number = split_number(rest);
    if (!number.valid) return invalid(kWhat, text, fmt::format("expected a number at '{}'", rest));
    std::size_t unit_length = 0;
    while (unit_length < number.rest.size() && !is_digit(number.rest[unit_length])) ++unit_length;
    const std::string_view unit = number.rest.substr(0, unit_length);
    if (unit.empty()) {
      return invalid(kWhat, text,
                     fmt::format("missing unit, e.g. '{}s' ({})", number.whole, kDurationUnitList));
    }
    const UnitScale* scale_unit = find_unit(kDurationUnits, unit);
    if (scale_unit == nullptr) {
      return invalid(kWhat, text, fmt::format("unknown unit '{}' ({})", unit, kDurationUnitList));
    }
    std::uint64_t part = 0;
    switch (scale(number, scale_unit->factor, part)) {
      case Scaled::overflow:
        return invalid(kWhat, text, "too large");
      case Scaled::inexact:
        return invalid(kWhat, text, "finer than a millisecond");
      case Scaled::ok:
        break;
    }
    if (part > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - total) {
      return invalid(kWhat, text, "too large");
    }
    total += part;
    rest = number.rest.substr(unit_length);
  }
  return Duration{static_cast<Duration::rep>(total)};
}

ParseResult<std::uint64_t> parse_size(std::string_view text) {
  constexpr std::string_view kWhat = "size";
  if (text.empty()) return invalid(kWhat, text, "empty");
  if (text.front() == '-') return invalid(kWhat, text, "must not be negative");
  const Number number = split_number(text);
  if (!number.valid) return invalid(kWhat, text, "expected a number followed by an optional unit");
  std::string_view unit = number.rest;
  if (!unit.empty() && unit.back() == 'B') unit.remove_suffix(1);
  return parse_scaled(kWhat, text, number.rest, find_unit(kSizeUnits, unit), number, kSizeUnitList,
                      "not a whole number of bytes");
}

ParseResult<Rate> parse_rate(std::string_view text) {
  constexpr std::string_view kWhat = "rate";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return invalid(kWhat, text, "expected COUNT/PERIOD, e.g. 100/min");
  }
  const std::string_view count_text = text.substr(0, slash);
  const std::string_view period_text = text.substr(slash + 1);
  const auto count = parse_integer(count_text, 1, std::numeric_limits<std::int64_t>::max());
  if (!count) return invalid(kWhat, text, "the count must be a whole number of at least 1");
  // "10s": a period of several units (short windows: 20/10s).
  std::size_t digits = 0;
  while (digits < period_text.size() && is_digit(period_text[digits])) ++digits;
  std::int64_t periods = 1;
  if (digits > 0) {
    const auto parsed = parse_integer(period_text.substr(0, digits), 1, 1'000'000);
    if (!parsed) return invalid(kWhat, text, "the period's count must be from 1 to 1000000");
    periods = *parsed;
  }
  const UnitScale* period = find_unit(kRatePeriods, period_text.substr(digits));
  if (period == nullptr) {
    return invalid(
        kWhat, text,
        fmt::format("unknown period '{}' (use s, min, h, day)", period_text));
  }
  return Rate{
      static_cast<std::uint64_t>(*count),
      Duration{static_cast<Duration::rep>(period->factor * static_cast<std::uint64_t>(periods))}};
}

ParseResult<std::uint32_t> parse_cpu(std::string_view text) {
  constexpr std::string_view kWhat = "CPU";
  constexpr std::array kCpuUnits{UnitScale{"", 1000}, UnitScale{"m", 1}};
  if (text.empty()) return invalid(kWhat, text, "empty");
  if (text.front() == '-') return invalid(kWhat, text, "must not be negative");
  const Number number = split_number(text);
  if (!number.valid) return invalid(kWhat, text, "expected cores (1.5) or millicores (500m)");
  auto millis = parse_scaled(kWhat, text, number.rest, find_unit(kCpuUnits, number.rest), number,
                             "use m for millicores, or no unit for cores", "finer than 1m");
  if (!millis) return ParseError{millis.error()};
  if (*millis == 0) return invalid(kWhat, text, "must be greater than 0");
  if (*millis > std::numeric_limits<std::uint32_t>::max()) return invalid(kWhat, text, "too large");
  return static_cast<std::uint32_t>(*millis);
}

ParseResult<double> parse_percent(std::string_view text) {
  constexpr std::string_view kWhat = "percentage";
  if (text.empty()) return invalid(kWhat, text, "empty");
  if (text.back() != '%') return invalid(kWhat, text, "missing '%', e.g. 70%");
  if (text.front() == '-') return invalid(kWhat, text, "must not be negative");
  const std::string_view digits = text.substr(0, text.size() - 1);
  const Number number = split_number(digits);
  if (!number.valid || !number.rest.empty())
    return invalid(kWhat, text, "expected a number before '%'");
  double value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value > 100.0) return invalid(kWhat, text, "must be at most 100%");
  return value;
}

ParseResult<IntOrPercent> parse_int_or_percent(std::string_view text) {
  constexpr std::int64_t kMaxCount = 100000;
  const bool percent = !text.empty() && text.back() == '%';
  const std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
  const auto value = parse_integer(digits, 0, percent ? 100 : kMaxCount);
  if (!value) {
    return invalid("count", text,
                   percent ? "expected a whole percentage from 0% to 100%"
                           : fmt::format("expected a whole number from 0 to {} or a percentage "
                                         "such as 25%",
                                         kMaxCount));
  }
  return IntOrPercent{static_cast<std::uint32_t>(*value), percent};
}

ParseResult<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  const bool negative = text.starts_with('-');
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) {
    return parse_error(fmt::format("expected an integer, got '{}'", text));
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && value >= min && value <= max) return value;
  if (negative && min >= 0) return parse_error(fmt::format("must not be negative, got {}", text));
  if (max == std::numeric_limits<std::int64_t>::max()) {
    return parse_error(fmt::format("must be at least {}, got {}", min, text));
  }
  return parse_error(fmt::format("must be between {} and {}, got {}", min, max, text));
}

ParseResult<Address> parse_address(std::string_view text) {
  constexpr std::string_view kWhat = "address";
  constexpr std::string_view kForms = "use host:port, [ipv6]:port or unix:/path";
  if (text.empty()) return invalid(kWhat, text, "empty");
  Address address;
  if (text.starts_with("unix:")) {
    address.kind = Address::Kind::unix_socket;
    address.path = std::string(text.substr(5));
    if (address.path.empty()) return invalid(kWhat, text, "missing socket path after 'unix:'");
    return address;
  }
  std::string_view port_text;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return invalid(kWhat, text, "missing ']'");
    address.host = std::string(text.substr(1, close - 1));
    if (!is_ip(AF_INET6, address.host)) {
      return invalid(kWhat, text, fmt::format("'{}' is not an IPv6 address", address.host));
    }
    const std::string_view after = text.substr(close + 1);
    if (!after.starts_with(':'))
      return invalid(kWhat, text, fmt::format("missing port ({})", kForms));
    port_text = after.substr(1);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return invalid(kWhat, text, fmt::format("missing port ({})", kForms));
    }
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return invalid(kWhat, text, "IPv6 addresses need brackets, e.g. [::1]:8080");
    }
    if (host.empty()) {
      return invalid(kWhat, text, "missing host (use *:PORT to listen on every interface)");
    }
    const bool numeric =
        std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
    address.host = host == "*" ? "0.0.0.0" : std::string(host);
    if (numeric && !is_ip(AF_INET, address.host)) {
      return invalid(kWhat, text, fmt::format("'{}' is not an IPv4 address", host));
    }
    if (!numeric && !is_host_name(address.host)) {
      return invalid(kWhat, text, fmt::format("'{}' is not a valid host name", host));
    }
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return invalid(kWhat, text, fmt::format("missing port ({})", kForms));
  const auto port = parse_port_number(port_text);
  if (!port) return invalid(kWhat, text, fmt::format("invalid port '{}'", port_text));
  if (*port > 65535) {
    return invalid(kWhat, text, fmt::format("port {} is out of range (0-65535)", *port));
  }
  address.port = static_cast<std::uint16_t>(*port);
  return address;
}

ParseResult<PortRange> parse_port_range(std::string_view text) {
  constexpr std::string_view kWhat = "port range";
  const std::size_t dash = text.find('-');
  const std::string_view first_text = text.substr(0, dash);
  const std::string_view last_text =
      dash == std::string_view::npos ? first_text : text.substr(dash + 1);
  const auto first = parse_port_number(first_text);
  const auto last = parse_port_number(last_text);
  if (!first || !last) return invalid(kWhat, text, "expected PORT or FIRST-LAST, e.g. 8000-8099");
  for (std::uint32_t port : {*first, *last}) {
    if (port == 0 || port > 65535) {
      return invalid(kWhat, text, fmt::format("port {} is out of range (1-65535)", port));
    }
  }
  if (*first > *last) {
    return invalid(kWhat, text, fmt::format("{} is greater than {}", *first, *last));
  }
  return PortRange{static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
}

std::string format_address(const Address& address) {
  if (address.kind == Address::Kind::unix_socket) return "unix:" + address.path;
  if (address.host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", address.host, address.port);
  }
  return fmt::format("{}:{}", address.host, address.port);
}

std::string format_port_range(const PortRange& range) {
  if (range.first == range.last) return std::to_string(range.first);
  return fmt::format("{}-{}", range.first, range.last);
}

std::string format_duration(Duration duration) {
  if (duration.count() <= 0) return "0";
  std::uint64_t left = static_cast<std::uint64_t>(duration.count());
  std::string text;
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (left >= it->factor) {
      text += fmt::format("{}{}", left / it->factor, it->name);
      left %= it->factor;
    }
  }
  return text;
}

}  // namespace flotilla::config
