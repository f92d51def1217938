// Copies a parsed head into a Request. The demo is not the proxy's hot path: owning copies keep
// its handlers simple, where the gateway instead works on views into its buffer.
#include "demo/demo_request.hpp"

namespace flotilla::demo {
namespace {

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Request::field(std::string_view name) const noexcept {
  for (const RequestField& f : fields) {
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

Request make_request(const http::RequestHead& head) {
  Request request;
  request.method_text = head.method_text;
  request.target = head.target;
  request.host = head.host;
  request.upgrade_protocol = head.upgrade_protocol;
  request.fields.reserve(head.headers.size());
  for (const http::Header& h : head.headers) {
    request.fields.push_back({std::string(h.name), std::string(h.value)});
  }
  request.content_length = head.content_length;
  request.method = head.method;
  request.version = head.version;
  request.framing = head.framing;
  request.keep_alive = head.keep_alive;
  request.expect_continue = head.expect_continue;
  request.upgrade = head.upgrade;
  return request;
}

}  // namespace flotilla::demo
