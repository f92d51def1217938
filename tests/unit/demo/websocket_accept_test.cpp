#include "demo/websocket_accept.hpp"

#include <gtest/gtest.h>

namespace flotilla::demo {
namespace {

TEST(WebSocketAccept, Rfc6455Example) {
  // RFC 6455 §1.3 (and §4.2.2): the key of the RFC's example handshake and its accept value.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketAccept, OtherKnownKey) {
  // The handshake example of Wikipedia's WebSocket article.
  EXPECT_EQ(websocket_accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST(WebSocketKey, Shape) {
  EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(is_valid_websocket_key("x3JJHMbDL1EzLkh9GBhXDw=="));
  EXPECT_FALSE(is_valid_websocket_key(""));
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ"));      // no padding
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=!"));    // bad padding
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZ*=="));    // not base64
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZR=="));    // non-zero spare bits
  EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ==AA"));  // too long
}

}  // namespace
}  // namespace flotilla::demo
