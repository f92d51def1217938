#include "http/simple_response_head.hpp"

#include <array>
#include <chrono>

#include <gtest/gtest.h>

namespace flotilla::http {
namespace {

TEST(HttpDate, FormatsTheRfcExample) {
  const auto when = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(http_date(when), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(FormatResponseHead, ContentLengthCloseAndFieldsInOrder) {
  const std::array<FieldView, 2> fields{{{"X-A", "1"}, {"X-B", "two"}}};
  ResponseHeadSpec spec;
  spec.status = 404;
  spec.content_length = 9;
  spec.content_type = "text/plain";
  spec.server = "flotilla";
  spec.fields = fields;
  spec.keep_alive = false;
  spec.date = false;
  EXPECT_EQ(format_response_head(spec),
            "HTTP/1.1 404 Not Found\r\nServer: flotilla\r\nContent-Type: text/plain\r\n"
            "Content-Length: 9\r\nConnection: close\r\nX-A: 1\r\nX-B: two\r\n\r\n");
}

TEST(FormatResponseHead, ChunkedToHttp10KeepAliveSaysSo) {
  ResponseHeadSpec spec;
  spec.framing = ResponseFraming::kChunked;
  spec.http10_peer = true;
  spec.date = false;
  EXPECT_EQ(format_response_head(spec),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n");
}

TEST(FormatResponseHead, NoBodyStatusHasNoFramingAndADate) {
  ResponseHeadSpec spec;
  spec.status = 204;
  spec.framing = ResponseFraming::kNoBody;
  const std::string head = format_response_head(spec);
  EXPECT_EQ(head.rfind("HTTP/1.1 204 No Content\r\nDate: ", 0), 0u) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(head.size(), std::string("HTTP/1.1 204 No Content\r\nDate: ").size() + 29 + 4);
}

}  // namespace
}  // namespace flotilla::http
