// The value parsers: each syntax with good inputs, bad inputs and the exact messages.
#include "config/units.hpp"

#include <gtest/gtest.h>

namespace flotilla::config {
namespace {

using std::chrono::milliseconds;

template <class T>
std::string error_of(const ParseResult<T>& result) {
  return result.ok() ? std::string("<ok>") : result.error();
}

TEST(ParseDuration, AcceptsEveryUnitAndCompounds) {
  const std::vector<std::pair<std::string_view, std::int64_t>> cases{
      {"0", 0},          {"250ms", 250},     {"30s", 30'000},        {"5m", 300'000},
      {"1h", 3'600'000}, {"1d", 86'400'000}, {"1y", 31'536'000'000}, {"1h30m", 5'400'000},
      {"1.5s", 1500},    {"0s", 0},          {"2m30s500ms", 150'500}};
  for (const auto& [text, ms] : cases) {
    const auto result = parse_duration(text);
    ASSERT_TRUE(result.ok()) << text << ": " << error_of(result);
    EXPECT_EQ(*result, milliseconds(ms)) << text;
  }
}

TEST(ParseDuration, RejectsWithPreciseMessages) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"5x", "invalid duration '5x': unknown unit 'x' (use ms, s, m, h, d, y)"},
      {"30", "invalid duration '30': missing unit, e.g. '30s' (use ms, s, m, h, d, y)"},
      {"", "invalid duration '': empty"},
      {"-5s", "invalid duration '-5s': must not be negative"},
      {"s", "invalid duration 's': expected a number at 's'"},
      {"5 s", "invalid duration '5 s': unknown unit ' s' (use ms, s, m, h, d, y)"},
      {"1.5ms", "invalid duration '1.5ms': finer than a millisecond"},
      {"1.s", "invalid duration '1.s': expected a number at '1.s'"},
      {"99999999999999999999y", "invalid duration '99999999999999999999y': too large"},
      {"300000000y", "invalid duration '300000000y': too large"},
      {"5m3", "invalid duration '5m3': missing unit, e.g. '3s' (use ms, s, m, h, d, y)"}};
  for (const auto& [text, message] : cases) EXPECT_EQ(error_of(parse_duration(text)), message);
}

TEST(ParseSize, AcceptsDecimalAndBinaryUnits) {
  const std::vector<std::pair<std::string_view, std::uint64_t>> cases{{"100", 100},
                                                                      {"0", 0},
                                                                      {"100B", 100},
                                                                      {"10k", 10'000},
                                                                      {"10K", 10'000},
                                                                      {"1kB", 1000},
                                                                      {"1M", 1'000'000},
                                                                      {"1G", 1'000'000'000},
                                                                      {"1T", 1'000'000'000'000},
                                                                      {"8Ki", 8192},
                                                                      {"8KiB", 8192},
                                                                      {"1Mi", 1 << 20},
                                                                      {"512Mi", 512ULL << 20},
                                                                      {"1Gi", 1ULL << 30},
                                                                      {"1GiB", 1ULL << 30},
                                                                      {"2Ti", 2ULL << 40},
                                                                      {"1.5Gi", 3ULL << 29},
                                                                      {"0.5k", 500}};
  for (const auto& [text, bytes] : cases) {
    const auto result = parse_size(text);
    ASSERT_TRUE(result.ok()) << text << ": " << error_of(result);
    EXPECT_EQ(*result, bytes) << text;
  }
}

TEST(ParseSize, RejectsWithPreciseMessages) {
  const std::string units = "(use k, M, G, T, Ki, Mi, Gi, Ti, optionally followed by B)";
  EXPECT_EQ(error_of(parse_size("10m")), "invalid size '10m': unknown unit 'm' " + units);
  EXPECT_EQ(error_of(parse_size("10kb")), "invalid size '10kb': unknown unit 'kb' " + units);
  EXPECT_EQ(error_of(parse_size("")), "invalid size '': empty");
  EXPECT_EQ(error_of(parse_size("-1Mi")), "invalid size '-1Mi': must not be negative");
  EXPECT_EQ(error_of(parse_size("Mi")),
            "invalid size 'Mi': expected a number followed by an optional unit");
  EXPECT_EQ(error_of(parse_size("1.5")), "invalid size '1.5': not a whole number of bytes");
  EXPECT_EQ(error_of(parse_size("20000000Ti")), "invalid size '20000000Ti': too large");
  EXPECT_EQ(error_of(parse_size("18446744073709551616")),
            "invalid size '18446744073709551616': too large");
}

TEST(ParseRate, KeepsCountAndPeriod) {
  const auto per_minute = parse_rate("100/min");
  ASSERT_TRUE(per_minute.ok());
  EXPECT_EQ(per_minute->count, 100u);
  EXPECT_EQ(per_minute->period, milliseconds(60'000));
  EXPECT_DOUBLE_EQ(per_minute->per_second(), 100.0 / 60.0);
  EXPECT_DOUBLE_EQ(parse_rate("10/s")->per_second(), 10.0);
  EXPECT_DOUBLE_EQ(parse_rate("5/h")->per_second(), 5.0 / 3600.0);
  EXPECT_DOUBLE_EQ(parse_rate("86400/day")->per_second(), 1.0);
  EXPECT_EQ(parse_rate("1/second")->period, milliseconds(1000));
  EXPECT_EQ(parse_rate("1/m")->period, milliseconds(60'000));
}

TEST(ParseRate, RejectsWithPreciseMessages) {
  EXPECT_EQ(error_of(parse_rate("100")), "invalid rate '100': expected COUNT/PERIOD, e.g. 100/min");
  EXPECT_EQ(error_of(parse_rate("100/week")),
            "invalid rate '100/week': unknown period 'week' (use s, min, h, day)");
  EXPECT_EQ(error_of(parse_rate("0/s")),
            "invalid rate '0/s': the count must be a whole number of at least 1");
  EXPECT_EQ(error_of(parse_rate("-1/s")),
            "invalid rate '-1/s': the count must be a whole number of at least 1");
  EXPECT_EQ(error_of(parse_rate("1.5/s")),
            "invalid rate '1.5/s': the count must be a whole number of at least 1");
  EXPECT_EQ(error_of(parse_rate("/s")),
            "invalid rate '/s': the count must be a whole number of at least 1");
}

TEST(ParseCpu, ReturnsMillicores) {
  EXPECT_EQ(*parse_cpu("500m"), 500u);
  EXPECT_EQ(*parse_cpu("1.5"), 1500u);
  EXPECT_EQ(*parse_cpu("2"), 2000u);
  EXPECT_EQ(*parse_cpu("0.25"), 250u);
  EXPECT_EQ(*parse_cpu("1m"), 1u);
}

TEST(ParseCpu, RejectsWithPreciseMessages) {
  EXPECT_EQ(error_of(parse_cpu("0")), "invalid CPU '0': must be greater than 0");
  EXPECT_EQ(error_of(parse_cpu("-1")), "invalid CPU '-1': must not be negative");
  EXPECT_EQ(error_of(parse_cpu("1.2345")), "invalid CPU '1.2345': finer than 1m");
  EXPECT_EQ(error_of(parse_cpu("2 cores")),
            "invalid CPU '2 cores': unknown unit ' cores' (use m for millicores, or no unit for "
            "cores)");
  EXPECT_EQ(error_of(parse_cpu("m")), "invalid CPU 'm': expected cores (1.5) or millicores (500m)");
  EXPECT_EQ(error_of(parse_cpu("5000000")), "invalid CPU '5000000': too large");
}

TEST(ParsePercent, AcceptsZeroToHundred) {
  EXPECT_DOUBLE_EQ(*parse_percent("70%"), 70.0);
  EXPECT_DOUBLE_EQ(*parse_percent("12.5%"), 12.5);
  EXPECT_DOUBLE_EQ(*parse_percent("0%"), 0.0);
  EXPECT_DOUBLE_EQ(*parse_percent("100%"), 100.0);
}

TEST(ParsePercent, RejectsWithPreciseMessages) {
  EXPECT_EQ(error_of(parse_percent("70")), "invalid percentage '70': missing '%', e.g. 70%");
  EXPECT_EQ(error_of(parse_percent("101%")), "invalid percentage '101%': must be at most 100%");
  EXPECT_EQ(error_of(parse_percent("-5%")), "invalid percentage '-5%': must not be negative");
  EXPECT_EQ(error_of(parse_percent("%")), "invalid percentage '%': expected a number before '%'");
  EXPECT_EQ(error_of(parse_percent("7 0%")),
            "invalid percentage '7 0%': expected a number before '%'");
  EXPECT_EQ(error_of(parse_percent("")), "invalid percentage '': empty");
}

TEST(ParseIntOrPercent, TakesCountsAndWholePercentages) {
  EXPECT_EQ(*parse_int_or_percent("3"), (IntOrPercent{3, false}));
  EXPECT_EQ(*parse_int_or_percent("25%"), (IntOrPercent{25, true}));
  EXPECT_EQ(*parse_int_or_percent("0"), (IntOrPercent{0, false}));
  EXPECT_EQ(error_of(parse_int_or_percent("12.5%")),
            "invalid count '12.5%': expected a whole percentage from 0% to 100%");
  EXPECT_EQ(error_of(parse_int_or_percent("-1")),
            "invalid count '-1': expected a whole number from 0 to 100000 or a percentage such as "
            "25%");
}

TEST(ParseInteger, ChecksSyntaxAndRange) {
  EXPECT_EQ(*parse_integer("42", 0, 100), 42);
  EXPECT_EQ(*parse_integer("-3", -5, 5), -3);
  EXPECT_EQ(*parse_integer("007", 0, 10), 7);
  EXPECT_EQ(error_of(parse_integer("three", 0, 10)), "expected an integer, got 'three'");
  EXPECT_EQ(error_of(parse_integer("", 0, 10)), "expected an integer, got ''");
  EXPECT_EQ(error_of(parse_integer("+3", 0, 10)), "expected an integer, got '+3'");
  EXPECT_EQ(error_of(parse_integer("3.0", 0, 10)), "expected an integer, got '3.0'");
  EXPECT_EQ(error_of(parse_integer("-1", 0, 10)), "must not be negative, got -1");
  EXPECT_EQ(error_of(parse_integer("11", 0, 10)), "must be between 0 and 10, got 11");
  EXPECT_EQ(error_of(parse_integer("0", 1, std::numeric_limits<std::int64_t>::max())),
            "must be at least 1, got 0");
  EXPECT_EQ(error_of(parse_integer("99999999999999999999", 0, 10)),
            "must be between 0 and 10, got 99999999999999999999");
}

TEST(ParseAddress, HostPortForms) {
  EXPECT_EQ(*parse_address("127.0.0.1:8080"), (Address{Address::Kind::tcp, "127.0.0.1", 8080, ""}));
  EXPECT_EQ(*parse_address("*:80"), (Address{Address::Kind::tcp, "0.0.0.0", 80, ""}));
  EXPECT_EQ(*parse_address("0.0.0.0:80"), (Address{Address::Kind::tcp, "0.0.0.0", 80, ""}));
  EXPECT_EQ(*parse_address("[::1]:8080"), (Address{Address::Kind::tcp, "::1", 8080, ""}));
  EXPECT_EQ(*parse_address("[::]:443"), (Address{Address::Kind::tcp, "::", 443, ""}));
  EXPECT_EQ(*parse_address("localhost:0"), (Address{Address::Kind::tcp, "localhost", 0, ""}));
  EXPECT_EQ(*parse_address("web-1.internal_x.example.com:65535"),
            (Address{Address::Kind::tcp, "web-1.internal_x.example.com", 65535, ""}));
  EXPECT_EQ(*parse_address("unix:/run/app.sock"),
            (Address{Address::Kind::unix_socket, "", 0, "/run/app.sock"}));
  EXPECT_EQ(*parse_address("unix:relative.sock"),
            (Address{Address::Kind::unix_socket, "", 0, "relative.sock"}));
}

TEST(ParseAddress, RejectsWithPreciseMessages) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"localhost",
       "invalid address 'localhost': missing port (use host:port, [ipv6]:port or "
       "unix:/path)"},
      {"localhost:",
       "invalid address 'localhost:': missing port (use host:port, [ipv6]:port or "
       "unix:/path)"},
      {":80", "invalid address ':80': missing host (use *:PORT to listen on every interface)"},
      {"::1:80", "invalid address '::1:80': IPv6 addresses need brackets, e.g. [::1]:8080"},
      {"[::1]", "invalid address '[::1]': missing port (use host:port, [ipv6]:port or unix:/path)"},
      {"[::1:80", "invalid address '[::1:80': missing ']'"},
      {"[nope]:80", "invalid address '[nope]:80': 'nope' is not an IPv6 address"},
      {"300.1.1.1:80", "invalid address '300.1.1.1:80': '300.1.1.1' is not an IPv4 address"},
      {"bad host:80", "invalid address 'bad host:80': 'bad host' is not a valid host name"},
      {"host:http", "invalid address 'host:http': invalid port 'http'"},
      {"host:-1", "invalid address 'host:-1': invalid port '-1'"},
      {"host:70000", "invalid address 'host:70000': port 70000 is out of range (0-65535)"},
      {"host:1234567", "invalid address 'host:1234567': invalid port '1234567'"},
      {"unix:", "invalid address 'unix:': missing socket path after 'unix:'"},
      {"", "invalid address '': empty"}};
  for (const auto& [text, message] : cases) EXPECT_EQ(error_of(parse_address(text)), message);
}

TEST(ParsePortRange, RangesAndSinglePorts) {
  EXPECT_EQ(*parse_port_range("8000-8099"), (PortRange{8000, 8099}));
  EXPECT_EQ(parse_port_range("8000-8099")->size(), 100u);
  EXPECT_EQ(*parse_port_range("8000"), (PortRange{8000, 8000}));
  EXPECT_EQ(*parse_port_range("1-65535"), (PortRange{1, 65535}));
}

TEST(ParsePortRange, RejectsWithPreciseMessages) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"8100-8000", "invalid port range '8100-8000': 8100 is greater than 8000"},
      {"0-10", "invalid port range '0-10': port 0 is out of range (1-65535)"},
      {"8000-70000", "invalid port range '8000-70000': port 70000 is out of range (1-65535)"},
      {"8000-", "invalid port range '8000-': expected PORT or FIRST-LAST, e.g. 8000-8099"},
      {"a-b", "invalid port range 'a-b': expected PORT or FIRST-LAST, e.g. 8000-8099"},
      {"8000 - 8099",
       "invalid port range '8000 - 8099': expected PORT or FIRST-LAST, e.g. "
       "8000-8099"},
      {"", "invalid port range '': expected PORT or FIRST-LAST, e.g. 8000-8099"}};
  for (const auto& [text, message] : cases) EXPECT_EQ(error_of(parse_port_range(text)), message);
}

TEST(FormatValues, AreInversesOfTheParsers) {
  for (std::string_view text : {"0.0.0.0:80", "[::1]:8080", "unix:/run/x.sock", "example.com:1"}) {
    EXPECT_EQ(format_address(*parse_address(text)), text);
  }
  EXPECT_EQ(format_port_range(PortRange{8000, 8099}), "8000-8099");
  EXPECT_EQ(format_port_range(PortRange{8000, 8000}), "8000");
  EXPECT_EQ(format_duration(milliseconds(0)), "0");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  for (std::string_view text : {"1y", "1d2h", "5m", "1h30m15s250ms"}) {
    EXPECT_EQ(format_duration(*parse_duration(text)), text);
  }
}

}  // namespace
}  // namespace flotilla::config
