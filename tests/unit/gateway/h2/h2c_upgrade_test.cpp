// `Upgrade: h2c` (RFC 7540 §3.2): which parsed HTTP/1.1 requests may switch to HTTP/2, the
// HTTP2-Settings payload decoding, and the head stream 1 gets (upgrade fields removed).
#include "gateway/h2/h2c_upgrade.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/request_parser.hpp"

namespace flotilla::gateway::h2 {
namespace {

// SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535, base64url.
constexpr std::string_view kSettings = "AAMAAABkAAQAAP__";

struct Parsed {
  std::string text;
  http::RequestParser parser;
  bool complete = false;
};

void parse(Parsed& p, std::string text) {
  p.text = std::move(text);
  p.complete = p.parser.parse(p.text).complete();
}

TEST(H2cUpgrade, GetWithOneSettingsFieldMayUpgrade) {
  Parsed p;
  parse(p,
        "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
  ASSERT_TRUE(p.complete);
  std::string_view settings;
  EXPECT_TRUE(asks_for_h2c(p.parser.head()));
  EXPECT_TRUE(h2c_upgradable(p.parser.head(), settings));
  EXPECT_EQ(settings, kSettings);
}

TEST(H2cUpgrade, RequestsThatCannotUpgrade) {
  const std::vector<std::string> heads = {
      // a body
      "POST /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
      "HTTP2-Settings: AAMAAABk\r\nContent-Length: 3\r\n\r\n",
      // no HTTP2-Settings, or two
      "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
      "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
      "HTTP2-Settings: AAMAAABk\r\nHTTP2-Settings: AAMAAABk\r\n\r\n",
      // Upgrade without Connection: upgrade is no upgrade at all
      "GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n",
  };
  for (const std::string& text : heads) {
    Parsed p;
    parse(p, text);
    ASSERT_TRUE(p.complete) << text;
    std::string_view settings;
    EXPECT_FALSE(h2c_upgradable(p.parser.head(), settings)) << text;
  }
}

TEST(H2cUpgrade, WebSocketIsNotH2c) {
  Parsed p;
  parse(p, "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  ASSERT_TRUE(p.complete);
  EXPECT_FALSE(asks_for_h2c(p.parser.head()));
}

TEST(H2cUpgrade, SettingsPayloadIsBase64Url) {
  std::string out;
  ASSERT_TRUE(decode_settings(kSettings, out));
  EXPECT_EQ(out, std::string("\x00\x03\x00\x00\x00\x64\x00\x04\x00\x00\xff\xff", 12));
  EXPECT_TRUE(decode_settings("", out));  // no settings: the defaults
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(decode_settings("AAMAAABk", out));   // one entry
  EXPECT_TRUE(decode_settings("AAMAAABk=", out));  // padding tolerated
  EXPECT_FALSE(decode_settings("AAMAAA", out));    // not whole entries
  EXPECT_FALSE(decode_settings("AAMAAAB+", out));  // base64, not base64url
  EXPECT_FALSE(decode_settings("A", out));
}

TEST(H2cUpgrade, StreamOneHeadLosesTheUpgradeFields) {
  const std::string raw =
      "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
      "HTTP2-Settings: AAMAAABk\r\nAccept: */*\r\n\r\n";
  std::vector<char> out(raw.size());
  const std::size_t n = head_without_upgrade(raw, out.data(), out.size());
  EXPECT_EQ(std::string(out.data(), n), "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
  Parsed p;
  parse(p, std::string(out.data(), n));
  ASSERT_TRUE(p.complete);
  EXPECT_FALSE(p.parser.head().upgrade);
  EXPECT_EQ(head_without_upgrade(raw, out.data(), 10), 0u);  // does not fit
}

}  // namespace
}  // namespace flotilla::gateway::h2
