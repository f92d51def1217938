#include "gateway/forwarded_headers.hpp"

namespace flotilla::gateway {

std::uint64_t write_forwarded_headers(const http::RequestHead& head, const ForwardedInfo& info,
                                      std::string_view request_id, std::string& out) {
  using http::HeaderId;
  // X-Forwarded-For: every earlier hop's list (several lines fold into one), then this client.
  out += "X-Forwarded-For: ";
  for (const http::Header& header : head.headers) {
    if (header.id != HeaderId::kXForwardedFor || header.value.empty()) continue;
    out += header.value;
    out += ", ";
  }
  out += info.peer_ip.empty() ? info.client_ip : info.peer_ip;
  out += "\r\nX-Real-IP: ";
  out += info.client_ip;
  out += info.tls ? "\r\nX-Forwarded-Proto: https\r\n" : "\r\nX-Forwarded-Proto: http\r\n";
  if (!head.host.empty()) {
    out += "X-Forwarded-Host: ";
    out += head.host;
    out += "\r\n";
  }
  out += head.version == http::Version::kHttp10 ? "Via: 1.0 flotilla\r\n" : "Via: 1.1 flotilla\r\n";
  // One X-Request-Id line: the request's (the client's kept value, or a generated one).
  out += "X-Request-Id: ";
  out += request_id;
  out += "\r\n";
  return kForwardingHeaders & ~http::header_bit(HeaderId::kVia);
}

}  // namespace flotilla::gateway
