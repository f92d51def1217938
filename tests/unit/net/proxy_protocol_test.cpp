#include "net/proxy_protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flotilla::net {
namespace {

using Status = ProxyHeader::Status;

ProxyHeader parse_text(std::string_view text) {
  return parse_proxy_header({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::string source_text(const IpAddress& address) {
  char out[46];
  return std::string(out, address.format(out));
}

std::string v2_header(std::uint8_t version_command, std::uint8_t family, std::string addresses) {
  std::string out("\r\n\r\n\0\r\nQUIT\n", 12);
  out += static_cast<char>(version_command);
  out += static_cast<char>(family);
  out += static_cast<char>(addresses.size() >> 8);
  out += static_cast<char>(addresses.size() & 0xFF);
  return out + addresses;
}

TEST(ProxyProtocol, V1Tcp4AndTcp6) {
  const ProxyHeader h = parse_text("PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\nGET /");
  ASSERT_EQ(h.status, Status::kDone) << h.problem;
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.size, 45u);
  EXPECT_FALSE(h.local);
  EXPECT_EQ(source_text(h.source), "192.0.2.1");
  EXPECT_EQ(h.source_port, 56324);
  const ProxyHeader six = parse_text("PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n");
  ASSERT_EQ(six.status, Status::kDone) << six.problem;
  EXPECT_EQ(source_text(six.source), "2001:db8::1");
  const ProxyHeader unknown = parse_text("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n");
  ASSERT_EQ(unknown.status, Status::kDone);
  EXPECT_TRUE(unknown.local);
  EXPECT_EQ(parse_text("PROXY UNKNOWN\r\n").status, Status::kDone);
}

TEST(ProxyProtocol, V1AsksForMoreUntilTheCrlf) {
  EXPECT_EQ(parse_text("").status, Status::kNeedMore);
  EXPECT_EQ(parse_text("PRO").status, Status::kNeedMore);
  const ProxyHeader partial = parse_text("PROXY TCP4 192.0.2.1");
  EXPECT_EQ(partial.status, Status::kNeedMore);
  EXPECT_EQ(partial.need, 0u);
  EXPECT_EQ(parse_text("PROXY TCP4 192.0.2.1 198.51.100.1 1 2\r").status, Status::kNeedMore);
}

TEST(ProxyProtocol, V1RefusesMalformedLines) {
  for (std::string_view bad : {
           "GET / HTTP/1.1\r\n",
           "PROXY TCP4 192.0.2.1 198.51.100.1 56324\r\n",
           "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443 x\r\n",
           "PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
           "PROXY TCP6 192.0.2.1 198.51.100.1 1 2\r\n",
           "PROXY TCP4 192.0.2.1 198.51.100.1 65536 2\r\n",
           "PROXY TCP4 192.0.2.1 198.51.100.1 01 2\r\n",
           "PROXY TCP4 192.0.2.256 198.51.100.1 1 2\r\n",
           "PROXY UDP4 192.0.2.1 198.51.100.1 1 2\r\n",
           "PROXY TCP4 192.0.2.1 198.51.100.1 1 2\r\r",
           "PROXY TCP4  192.0.2.1 198.51.100.1 1 2\r\n",
       }) {
    EXPECT_EQ(parse_text(bad).status, Status::kInvalid) << bad;
  }
  EXPECT_EQ(parse_text("PROXY " + std::string(120, 'x')).status, Status::kInvalid);
}

TEST(ProxyProtocol, V2Ipv4AndIpv6) {
  std::string v4_addresses("\xC0\x00\x02\x01\xC6\x33\x64\x01\xDC\x04\x01\xBB", 12);
  const std::string header = v2_header(0x21, 0x11, v4_addresses);
  const ProxyHeader h = parse_text(header + "GET /");
  ASSERT_EQ(h.status, Status::kDone) << h.problem;
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.size, 28u);
  EXPECT_EQ(source_text(h.source), "192.0.2.1");
  EXPECT_EQ(h.source_port, 56324);
  std::string v6_addresses(36, '\0');
  v6_addresses[0] = '\x20';
  v6_addresses[1] = '\x01';
  v6_addresses[2] = '\x0d';
  v6_addresses[3] = '\xb8';
  v6_addresses[15] = '\x07';
  // A TLV after the addresses is skipped.
  const ProxyHeader six =
      parse_text(v2_header(0x21, 0x21, v6_addresses + std::string("\x04\x00\x01x", 4)));
  ASSERT_EQ(six.status, Status::kDone) << six.problem;
  EXPECT_EQ(source_text(six.source), "2001:db8::7");
  EXPECT_EQ(six.size, 16u + 40u);
}

TEST(ProxyProtocol, V2LocalAndOtherFamiliesKeepThePeer) {
  EXPECT_TRUE(parse_text(v2_header(0x20, 0x00, "")).local);
  EXPECT_TRUE(parse_text(v2_header(0x21, 0x12, std::string(12, '\1'))).local);   // UDP
  EXPECT_TRUE(parse_text(v2_header(0x21, 0x31, std::string(216, '\0'))).local);  // unix
}

TEST(ProxyProtocol, V2NeedsItsWholeLengthAndRefusesGarbage) {
  const std::string header = v2_header(0x21, 0x11, std::string(12, '\1'));
  const ProxyHeader head_only = parse_text(header.substr(0, 10));
  EXPECT_EQ(head_only.status, Status::kNeedMore);
  EXPECT_EQ(head_only.need, 16u);
  const ProxyHeader short_body = parse_text(header.substr(0, 20));
  EXPECT_EQ(short_body.status, Status::kNeedMore);
  EXPECT_EQ(short_body.need, 28u);
  EXPECT_EQ(parse_text(v2_header(0x11, 0x11, std::string(12, '\1'))).problem,
            "PROXY v2: unsupported version");
  EXPECT_EQ(parse_text(v2_header(0x22, 0x11, std::string(12, '\1'))).status, Status::kInvalid);
  EXPECT_EQ(parse_text(v2_header(0x21, 0x11, std::string(4, '\1'))).status, Status::kInvalid);
  EXPECT_EQ(parse_text(v2_header(0x21, 0x41, std::string(12, '\1'))).status, Status::kInvalid);
  std::string bad_signature = header;
  bad_signature[8] = 'X';
  EXPECT_EQ(parse_text(bad_signature).status, Status::kInvalid);
  std::string too_long = v2_header(0x21, 0x11, "");
  too_long[14] = '\xFF';
  EXPECT_EQ(parse_text(too_long).problem, "PROXY v2: header too long");
}

}  // namespace
}  // namespace flotilla::net
