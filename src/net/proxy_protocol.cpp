#include "net/proxy_protocol.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace flotilla::net {
namespace {

using ProxyStatus = ProxyHeader::Status;
constexpr std::size_t kNpos = std::string_view::npos;

constexpr std::uint8_t kV2Signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                           0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr std::string_view kV1Prefix = "PROXY ";

ProxyHeader invalid_proxy_header(std::string_view problem) {
  ProxyHeader out;
  out.status = ProxyStatus::kInvalid;
  out.problem = problem;
  return out;
}

// Splits off the text before the next space.
std::string_view next_proxy_field(std::string_view& line) {
  const std::size_t space = line.find(' ');
  const std::string_view field = line.substr(0, space);
  line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  return field;
}

bool parse_proxy_port(std::string_view text, std::uint16_t& out) {
  // Decimal without leading zeros ("0" itself is allowed), as the spec writes them.
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return false;
  out = static_cast<std::uint16_t>(value);
  return true;
}

// "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443" (CRLF excluded).
ProxyHeader parse_v1_line(std::string_view line, std::size_t size) {
  line.remove_prefix(kV1Prefix.size());
  ProxyHeader out;
  out.status = ProxyStatus::kDone;
  out.version = 1;
  out.size = size;
  out.need = size;
  const std::string_view family = next_proxy_field(line);
  if (family == "UNKNOWN") {  // the rest of the line is ignored
    out.local = true;
    return out;
  }
  if (family != "TCP4" && family != "TCP6")
    return invalid_proxy_header("PROXY v1: unknown protocol family");
  const std::string_view source = next_proxy_field(line);
  const std::string_view destination = next_proxy_field(line);
  const std::string_view source_port = next_proxy_field(line);
  const std::string_view destination_port = next_proxy_field(line);
  if (!line.empty()) return invalid_proxy_header("PROXY v1: extra fields");
  const auto src = IpAddress::parse(source);
  const auto dst = IpAddress::parse(destination);
  std::uint16_t ignored = 0;
  if (!src || !dst || (source.find(':') == kNpos) != (destination.find(':') == kNpos) ||
      source.front() == '[' || destination.front() == '[') {
    return invalid_proxy_header("PROXY v1: bad address");
  }
  // TCP4 takes dotted quads only, TCP6 IPv6 text only.
  const bool v6_text = source.find(':') != std::string_view::npos;
  if (v6_text != (family == "TCP6"))
    return invalid_proxy_header("PROXY v1: address family mismatch");
  if (!parse_proxy_port(source_port, out.source_port) ||
      !parse_proxy_port(destination_port, ignored)) {
    return invalid_proxy_header("PROXY v1: bad port");
  }
  out.source = *src;
  return out;
}

ProxyHeader parse_v1(std::span<const std::uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              std::min(bytes.size(), kProxyV1MaxSize));
  const std::size_t cr = text.find('\r');
  if (cr == std::string_view::npos || cr + 1 == text.size()) {
    if (bytes.size() >= kProxyV1MaxSize)
      return invalid_proxy_header("PROXY v1: no CRLF within 107 bytes");
    for (char c : text) {
      if (c == '\n' || c == '\0') return invalid_proxy_header("PROXY v1: bad character");
    }
    ProxyHeader more;
    more.need = 0;  // up to the CRLF
    more.version = 1;
    return more;
  }
  if (text[cr + 1] != '\n') return invalid_proxy_header("PROXY v1: CR without LF");
  const std::string_view line = text.substr(0, cr);
  if (line.find('\n') != std::string_view::npos || line.find('\0') != std::string_view::npos) {
    return invalid_proxy_header("PROXY v1: bad character");
  }
  return parse_v1_line(line, cr + 2);
}

std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

ProxyHeader parse_v2(std::span<const std::uint8_t> bytes) {
  ProxyHeader out;
  out.version = 2;
  if (bytes.size() < 16) {
    out.need = 16;
    return out;
  }
  if (std::memcmp(bytes.data(), kV2Signature, sizeof kV2Signature) != 0) {
    return invalid_proxy_header("PROXY v2: bad signature");
  }
  const std::uint8_t version_command = bytes[12];
  if ((version_command >> 4) != 2) return invalid_proxy_header("PROXY v2: unsupported version");
  const std::uint8_t command = version_command & 0x0F;
  if (command > 1) return invalid_proxy_header("PROXY v2: unknown command");
  const std::size_t length = load_be16(bytes.data() + 14);
  const std::size_t size = 16 + length;
  if (size > kProxyV2MaxSize) return invalid_proxy_header("PROXY v2: header too long");
  if (bytes.size() < size) {
    out.need = size;
    return out;
  }
  out.status = ProxyStatus::kDone;
  out.size = size;
  out.need = size;
  const std::uint8_t family = bytes[13] >> 4;
  const std::uint8_t transport = bytes[13] & 0x0F;
  if (family > 3 || transport > 2) return invalid_proxy_header("PROXY v2: unknown address family");
  // LOCAL (health checks of the proxy itself), UNSPEC, UDP or unix: the real peer stands.
  if (command == 0 || transport != 1 || family == 0 || family == 3) {
    out.local = true;
    return out;
  }
  const std::uint8_t* addresses = bytes.data() + 16;
  if (family == 1) {  // IPv4: src 4, dst 4, src port 2, dst port 2
    if (length < 12) return invalid_proxy_header("PROXY v2: IPv4 addresses truncated");
    out.source = IpAddress::v4_from(addresses);
    out.source_port = load_be16(addresses + 8);
  } else {  // IPv6: src 16, dst 16, ports
    if (length < 36) return invalid_proxy_header("PROXY v2: IPv6 addresses truncated");
    out.source = IpAddress::v6_from(addresses);
    out.source_port = load_be16(addresses + 32);
  }
  return out;  // TLVs after the addresses are skipped
}

}  // namespace

ProxyHeader parse_proxy_header(std::span<const std::uint8_t> bytes) noexcept {
  const std::size_t sniff = std::min(bytes.size(), kProxySniffSize);
  if (std::memcmp(bytes.data(), kV1Prefix.data(), sniff) == 0) {
    if (bytes.size() < kProxySniffSize) return ProxyHeader{};
    return parse_v1(bytes);
  }
  if (std::memcmp(bytes.data(), kV2Signature, sniff) == 0) {
    if (bytes.size() < kProxySniffSize) return ProxyHeader{};
    return parse_v2(bytes);
  }
  return invalid_proxy_header("no PROXY protocol header");
}

}  // namespace flotilla::net
