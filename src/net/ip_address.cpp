#include "net/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace flotilla::net {
namespace {

constexpr std::uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Dotted quad into `out`; inet_ntop goes through printf.
std::size_t format_v4(const std::uint8_t* address, char* out) noexcept {
  char* p = out;
  for (int i = 0; i < 4; ++i) {
    const unsigned value = address[i];
    if (value >= 100) *p++ = static_cast<char>('0' + value / 100);
    if (value >= 10) *p++ = static_cast<char>('0' + value / 10 % 10);
    *p++ = static_cast<char>('0' + value % 10);
    if (i < 3) *p++ = '.';
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace

IpAddress IpAddress::v4_from(const std::uint8_t* four) noexcept {
  IpAddress out;
  std::memcpy(out.bytes.data(), four, 4);
  return out;
}

IpAddress IpAddress::v6_from(const std::uint8_t* sixteen) noexcept {
  if (std::memcmp(sixteen, kV4MappedPrefix, sizeof kV4MappedPrefix) == 0)
    return v4_from(sixteen + 12);
  IpAddress out;
  std::memcpy(out.bytes.data(), sixteen, 16);
  out.v6 = true;
  return out;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buffer[46];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t raw[16];
  if (text.find(':') == std::string_view::npos) {
    if (::inet_pton(AF_INET, buffer, raw) != 1) return std::nullopt;
    return v4_from(raw);
  }
  if (::inet_pton(AF_INET6, buffer, raw) != 1) return std::nullopt;
  return v6_from(raw);
}

std::size_t IpAddress::format(std::span<char> out) const noexcept {
  if (!v6) return format_v4(bytes.data(), out.data());
  const char* text =
      ::inet_ntop(AF_INET6, bytes.data(), out.data(), static_cast<socklen_t>(out.size()));
  return text ? std::strlen(text) : 0;
}

std::optional<Cidr> Cidr::parse(std::string_view text) noexcept {
  const std::size_t slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  // "::ffff:10.0.0.0/104" names IPv4 addresses: its prefix counts IPv6 bits.
  const bool mapped = !address->v6 && text.substr(0, slash).find(':') != std::string_view::npos;
  const unsigned written_max = address->v6 || mapped ? 128 : 32;
  unsigned prefix = written_max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        prefix > written_max) {
      return std::nullopt;
    }
  }
  if (mapped) {
    if (prefix < 96) return std::nullopt;
    prefix -= 96;
  }
  const unsigned max = address->v6 ? 128 : 32;
  Cidr out{*address, static_cast<std::uint8_t>(prefix)};
  for (unsigned bit = prefix; bit < max; ++bit) {
    if (out.network.bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;  // host bits
  }
  return out;
}

bool Cidr::contains(const IpAddress& address) const noexcept {
  if (address.v6 != network.v6) return false;
  const unsigned whole = prefix / 8;
  if (std::memcmp(address.bytes.data(), network.bytes.data(), whole) != 0) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff00 >> rest);
  return (address.bytes[whole] & mask) == network.bytes[whole];
}

bool CidrSet::contains(const IpAddress& address) const noexcept {
  for (const Cidr& block : blocks_) {
    if (block.contains(address)) return true;
  }
  return false;
}

}  // namespace flotilla::net
