#include "gateway/forwarded_headers.hpp"

namespace flotilla::gateway {
namespace {

// 16 lowercase hex digits, formatted on the stack and appended once.
void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char text[16];
  for (int i = 15; i >= 0; --i, value >>= 4) text[i] = kDigits[value & 0xF];
  out.append(text, sizeof text);
}

}  // namespace

ForwardedHeaders write_forwarded_headers(const http::RequestHead& head, const ForwardedInfo& info,
                                         std::uint64_t random_a, std::uint64_t random_b,
                                         std::string& out) {
  using http::HeaderId;
  ForwardedHeaders result;
  result.drop = http::header_bit(HeaderId::kXForwardedFor) |
                http::header_bit(HeaderId::kXForwardedProto) |
                http::header_bit(HeaderId::kXForwardedHost) | http::header_bit(HeaderId::kXRealIp);

  // X-Forwarded-For: every earlier hop's list (several lines fold into one), then this client.
  out += "X-Forwarded-For: ";
  for (const http::Header& header : head.headers) {
    if (header.id != HeaderId::kXForwardedFor || header.value.empty()) continue;
    out += header.value;
    out += ", ";
  }
  out += info.client_ip;
  out += "\r\nX-Real-IP: ";
  out += info.client_ip;
  out += info.tls ? "\r\nX-Forwarded-Proto: https\r\n" : "\r\nX-Forwarded-Proto: http\r\n";
  if (!head.host.empty()) {
    out += "X-Forwarded-Host: ";
    out += head.host;
    out += "\r\n";
  }
  out += head.version == http::Version::kHttp10 ? "Via: 1.0 flotilla\r\n" : "Via: 1.1 flotilla\r\n";

  // The client's id is kept, unless the client named it in Connection: then the head writer
  // drops it as hop-by-hop, and the upstream must still get one.
  for (const http::Header& header : head.headers) {
    if (header.id == HeaderId::kXRequestId && !header.value.empty() && !header.connection_option) {
      result.request_id = header.value;
      return result;
    }
  }
  // Generated: any empty or hop-by-hop X-Request-Id line goes, so the upstream sees one id.
  result.drop |= http::header_bit(HeaderId::kXRequestId);
  out += "X-Request-Id: ";
  const std::size_t id_begin = out.size();
  append_hex(out, random_a);
  append_hex(out, random_b);
  const std::size_t id_end = out.size();
  out += "\r\n";
  // `out` was reserved by the caller, so taking the view after the last append is safe.
  result.request_id = std::string_view(out).substr(id_begin, id_end - id_begin);
  result.request_id_generated = true;
  return result;
}

}  // namespace flotilla::gateway
