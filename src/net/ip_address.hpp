// An IP address as 16 bytes (IPv4 as its 4 first bytes), parsed and printed without the
// resolver, and CIDR blocks and sets over it (client access rules, trusted proxies). Pure
// values: no sockets, no allocation after construction; never knows HTTP.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace flotilla::net {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4
  bool v6 = false;

  static IpAddress v4_from(const std::uint8_t* four) noexcept;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address it carries.
  static IpAddress v6_from(const std::uint8_t* sixteen) noexcept;
  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]"; an IPv6 zone (%eth0) is refused.
  static std::optional<IpAddress> parse(std::string_view text) noexcept;
  // As text into `out` (at least 46 bytes); returns the length.
  std::size_t format(std::span<char> out) const noexcept;
  std::size_t size() const noexcept { return v6 ? 16 : 4; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
  IpAddress network;        // host bits cleared
  std::uint8_t prefix = 0;  // 0..32 or 0..128
  // "10.0.0.0/8", "2001:db8::/32", or an address alone (a /32 or /128). Host bits set below
  // the prefix are refused ("10.0.0.1/8" is a mistake more often than not).
  static std::optional<Cidr> parse(std::string_view text) noexcept;
  bool contains(const IpAddress& address) const noexcept;
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// A list of blocks: linear, as lists in configs are short (nginx's allow/deny is too).
class CidrSet {
 public:
  CidrSet() = default;
  explicit CidrSet(std::vector<Cidr> blocks) : blocks_(std::move(blocks)) {}
  bool empty() const noexcept { return blocks_.empty(); }
  bool contains(const IpAddress& address) const noexcept;
  const std::vector<Cidr>& blocks() const noexcept { return blocks_; }

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace flotilla::net
