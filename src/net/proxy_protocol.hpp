// The PROXY protocol (HAProxy's proxy-protocol.txt, v1 text and v2 binary): the header a load
// balancer sends first on a connection to say whom it accepted it from. Pure parsing of the
// bytes received so far; the caller reads no byte past the header (proxy_header_reader.cpp in
// gateway/). Never trusts a header that does not parse exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/ip_address.hpp"

namespace flotilla::net {

// v1's longest line, CRLF included; v2's header bound here (16 + addresses + TLVs).
inline constexpr std::size_t kProxyV1MaxSize = 107;
inline constexpr std::size_t kProxyV2MaxSize = 16 + 2048;
// Enough to tell v1 ("PROXY ") from v2 (its 12-byte signature starts "\r\n\r\n\0\r").
inline constexpr std::size_t kProxySniffSize = 6;

struct ProxyHeader {
  enum class Status : std::uint8_t {
    kNeedMore,  // a prefix of a header: read `need` bytes in total (0: a v1 line, up to CRLF)
    kDone,      // a whole header of `size` bytes
    kInvalid,   // not a header, or a malformed one (`problem` says which)
  };
  Status status = Status::kNeedMore;
  std::size_t need = kProxySniffSize;
  std::size_t size = 0;
  // LOCAL (v2) or UNKNOWN (v1), or a family we do not route on (UDP, unix): the connection's own
  // peer stands. Otherwise `source` is the client the proxy accepted.
  bool local = false;
  IpAddress source;
  std::uint16_t source_port = 0;
  std::uint8_t version = 0;  // 1 or 2 once known
  std::string_view problem;
};

ProxyHeader parse_proxy_header(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace flotilla::net
