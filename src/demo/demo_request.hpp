// A parsed request head copied out of the read buffer, so a handler can keep reading the body
// (which reuses that buffer) while it still looks at the head. Plain data + lookups only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace flotilla::demo {

struct RequestField {
  std::string name;
  std::string value;
};

struct Request {
  std::string method_text;
  std::string target;
  std::string host;
  std::string upgrade_protocol;
  std::vector<RequestField> fields;
  std::uint64_t content_length = 0;
  http::Method method = http::Method::kOther;
  http::Version version = http::Version::kHttp11;
  http::BodyFraming framing = http::BodyFraming::kNone;
  bool keep_alive = false;
  bool expect_continue = false;
  bool upgrade = false;

  // Value of the first field named `name` (case-insensitive), "" when absent.
  std::string_view field(std::string_view name) const noexcept;
  bool has_body() const noexcept {
    return framing == http::BodyFraming::kChunked ||
           (framing == http::BodyFraming::kContentLength && content_length > 0);
  }
};

Request make_request(const http::RequestHead& head);

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace flotilla::demo
