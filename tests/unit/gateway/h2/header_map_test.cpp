// The HTTP/2 ↔ HTTP/1.1 head mapping (RFC 9113 §8.3, §8.2.2, §8.2.3): what the rebuilt request
// head says once the gateway's own parser reads it, and which response fields go out as HPACK.
#include "gateway/h2/header_map.hpp"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace flotilla::gateway::h2 {
namespace {

struct Built {
  std::string text;
  http::RequestParser parser;
  http::ParseResult result;
};

void build(Built& out, const std::vector<std::pair<std::string, std::string>>& fields,
           bool end_stream, std::size_t capacity = 4096) {
  std::vector<char> buffer(capacity);
  RequestHeadBuilder builder;
  builder.start(buffer.data(), buffer.size());
  for (const auto& [name, value] : fields) builder.add(name, value);
  const std::size_t size = builder.finish(end_stream);
  out.text.assign(buffer.data(), size);
  out.result = out.parser.parse(out.text);
}

std::string field(const http::RequestHead& head, std::string_view name) {
  std::string value;
  for (const http::Header& h : head.headers) {
    if (h.name == name) value += (value.empty() ? "" : ",") + std::string(h.value);
  }
  return value;
}

TEST(RequestHeadBuilder, PseudoHeadersBecomeTheRequestLineAndHost) {
  Built b;
  build(b,
        {{":method", "GET"},
         {":scheme", "https"},
         {":authority", "example.com"},
         {":path", "/a?b=c"},
         {"accept", "*/*"}},
        true);
  ASSERT_TRUE(b.result.complete()) << b.text;
  EXPECT_EQ(b.text, "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\naccept: */*\r\n\r\n");
  const http::RequestHead& head = b.parser.head();
  EXPECT_EQ(head.method, http::Method::kGet);
  EXPECT_EQ(head.host, "example.com");
  EXPECT_EQ(head.framing, http::BodyFraming::kNone);
}

TEST(RequestHeadBuilder, AuthorityWinsOverHost) {
  Built b;
  build(b, {{":method", "GET"}, {":authority", "a.example"}, {":path", "/"}, {"host", "b.example"}},
        true);
  ASSERT_TRUE(b.result.complete());
  EXPECT_EQ(b.parser.head().host, "a.example");
  EXPECT_EQ(field(b.parser.head(), "Host"), "a.example");
  EXPECT_EQ(field(b.parser.head(), "host"), "");
}

TEST(RequestHeadBuilder, HostIsUsedWithoutAuthority) {
  Built b;
  build(b, {{":method", "GET"}, {":path", "/"}, {"host", "b.example"}}, true);
  ASSERT_TRUE(b.result.complete());
  EXPECT_EQ(b.parser.head().host, "b.example");
}

TEST(RequestHeadBuilder, CookieCrumbsAreJoined) {
  Built b;
  build(b,
        {{":method", "GET"},
         {":authority", "x"},
         {":path", "/"},
         {"cookie", "a=1"},
         {"accept", "*/*"},
         {"cookie", "b=2"},
         {"cookie", "c=3"}},
        true);
  ASSERT_TRUE(b.result.complete());
  EXPECT_EQ(field(b.parser.head(), "Cookie"), "a=1; b=2; c=3");
}

TEST(RequestHeadBuilder, TeTrailersIsNotForwarded) {
  Built b;
  build(b, {{":method", "GET"}, {":authority", "x"}, {":path", "/"}, {"te", "trailers"}}, true);
  ASSERT_TRUE(b.result.complete());
  EXPECT_EQ(field(b.parser.head(), "te"), "");
}

TEST(RequestHeadBuilder, BodyFraming) {
  {  // no END_STREAM and no content-length: chunked towards the HTTP/1.1 upstream
    Built b;
    build(b, {{":method", "POST"}, {":authority", "x"}, {":path", "/"}}, false);
    ASSERT_TRUE(b.result.complete());
    EXPECT_EQ(b.parser.head().framing, http::BodyFraming::kChunked);
  }
  {  // the client's content-length is kept
    Built b;
    build(b, {{":method", "POST"}, {":authority", "x"}, {":path", "/"}, {"content-length", "12"}},
          false);
    ASSERT_TRUE(b.result.complete());
    EXPECT_EQ(b.parser.head().framing, http::BodyFraming::kContentLength);
    EXPECT_EQ(b.parser.head().content_length, 12u);
  }
  {  // END_STREAM on HEADERS: no body
    Built b;
    build(b, {{":method", "POST"}, {":authority", "x"}, {":path", "/"}}, true);
    ASSERT_TRUE(b.result.complete());
    EXPECT_EQ(b.parser.head().framing, http::BodyFraming::kNone);
  }
}

TEST(RequestHeadBuilder, ConnectUsesTheAuthorityAsTarget) {
  Built b;
  build(b, {{":method", "CONNECT"}, {":authority", "db:5432"}}, true);
  EXPECT_EQ(b.text.substr(0, b.text.find("\r\n")), "CONNECT db:5432 HTTP/1.1");
}

TEST(RequestHeadBuilder, TooLargeForTheBufferIsReported) {
  std::vector<char> buffer(256);
  RequestHeadBuilder builder;
  builder.start(buffer.data(), buffer.size());
  builder.add(":method", "GET");
  builder.add(":path", "/");
  builder.add(":authority", "x");
  builder.add("x-big", std::string(300, 'a'));
  EXPECT_TRUE(builder.too_large());
  EXPECT_EQ(builder.finish(true), 0u);
  // The builder is reusable for the next stream.
  builder.start(buffer.data(), buffer.size());
  builder.add(":method", "GET");
  builder.add(":path", "/");
  EXPECT_GT(builder.finish(true), 0u);
}

std::map<std::string, std::string> as_map(std::span<const nghttp2_nv> list) {
  std::map<std::string, std::string> out;
  for (const nghttp2_nv& nv : list) {
    out[std::string(reinterpret_cast<const char*>(nv.name), nv.namelen)] =
        std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen);
  }
  return out;
}

TEST(ResponseFields, ConnectionSpecificFieldsAreDroppedAndNamesLowerCased) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\n"
      "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\nX-Hop: 1\r\nX-Kept: 2\r\n"
      "Upgrade: h2c\r\nProxy-Connection: x\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
  http::ResponseParser parser;
  ASSERT_TRUE(parser.parse(raw).complete());
  ResponseFields fields;
  fields.status(200);
  fields.add_forwarded(parser.head(), 0, {});
  const auto list = fields.list();
  const auto map = as_map(list);
  EXPECT_EQ(map.at(":status"), "200");
  EXPECT_EQ(map.at("content-type"), "text/plain");
  EXPECT_EQ(map.at("x-kept"), "2");
  for (const char* name :
       {"connection", "keep-alive", "transfer-encoding", "x-hop", "upgrade", "proxy-connection"}) {
    EXPECT_EQ(map.count(name), 0u) << name;
  }
  // Set-Cookie stays two fields (RFC 9113 §8.2.3 joins only Cookie).
  int cookies = 0;
  for (const nghttp2_nv& nv : list) {
    cookies += std::string_view(reinterpret_cast<const char*>(nv.name), nv.namelen) == "set-cookie";
  }
  EXPECT_EQ(cookies, 2);
}

TEST(ResponseFields, DropsAndAddedLines) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nServer: up\r\nX-Secret: s\r\nContent-Length: 3\r\n\r\n";
  http::ResponseParser parser;
  ASSERT_TRUE(parser.parse(raw).complete());
  ResponseFields fields;
  fields.status(200);
  const std::string_view names[] = {"x-secret"};
  fields.add_forwarded(parser.head(), http::header_bit(http::HeaderId::kServer), names);
  fields.add_lines("X-Request-Id: abc\r\nStrict-Transport-Security:  max-age=1 \r\n");
  const auto map = as_map(fields.list());
  EXPECT_EQ(map.count("server"), 0u);
  EXPECT_EQ(map.count("x-secret"), 0u);
  EXPECT_EQ(map.count("content-length"), 0u);  // the sink re-makes it from the length it knows
  EXPECT_EQ(map.at("x-request-id"), "abc");
  EXPECT_EQ(map.at("strict-transport-security"), "max-age=1");
}

TEST(ResponseFields, ManyFieldsKeepTheirNames) {
  // Names are stored in one growing buffer: pointers must survive its reallocation.
  ResponseFields fields;
  fields.status(404);
  std::vector<std::string> values;
  for (int i = 0; i < 200; ++i) values.push_back(std::to_string(i));
  for (int i = 0; i < 200; ++i) fields.add("X-Field-" + std::to_string(i), values[i]);
  const auto map = as_map(fields.list());
  EXPECT_EQ(map.at(":status"), "404");
  EXPECT_EQ(map.at("x-field-0"), "0");
  EXPECT_EQ(map.at("x-field-199"), "199");
}

// ---- RFC 8441: an extended CONNECT becomes an HTTP/1.1 WebSocket upgrade ----

const std::vector<std::pair<std::string, std::string>> kExtendedConnect = {
    {":method", "CONNECT"},
    {":protocol", "websocket"},
    {":scheme", "https"},
    {":path", "/chat?room=1"},
    {":authority", "example.com"},
    {"sec-websocket-version", "13"},
    {"sec-websocket-protocol", "chat"},
    {"origin", "https://example.com"}};

void build_connect(Built& out, std::vector<std::pair<std::string, std::string>> fields,
                   bool end_stream = false) {
  std::vector<char> buffer(4096);
  RequestHeadBuilder builder;
  builder.start(buffer.data(), buffer.size());
  for (const auto& [name, value] : fields) builder.add(name, value);
  EXPECT_TRUE(builder.extended_connect());
  const std::size_t size = builder.finish(end_stream, "dGhlIHNhbXBsZSBub25jZQ==");
  out.text.assign(buffer.data(), size);
  out.result = out.parser.parse(out.text);
}

TEST(RequestHeadBuilder, ExtendedConnectIsAWebSocketUpgradeGet) {
  Built b;
  build_connect(b, kExtendedConnect);
  ASSERT_TRUE(b.result.complete()) << b.text;
  const http::RequestHead& head = b.parser.head();
  EXPECT_EQ(head.method, http::Method::kGet);
  EXPECT_EQ(head.target, "/chat?room=1");
  EXPECT_EQ(head.host, "example.com");
  EXPECT_TRUE(head.upgrade);
  EXPECT_EQ(head.upgrade_protocol, "websocket");
  EXPECT_EQ(field(head, "Sec-WebSocket-Key"), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(field(head, "sec-websocket-version"), "13");
  EXPECT_EQ(field(head, "Sec-WebSocket-Version"), "");  // the client's, not a second one
  EXPECT_EQ(field(head, "sec-websocket-protocol"), "chat");
  // No body framing: the stream's DATA is the tunnel's, not the GET's body.
  EXPECT_EQ(head.framing, http::BodyFraming::kNone);
}

TEST(RequestHeadBuilder, ExtendedConnectGetsAVersionAndDropsBodyAndClientKey) {
  Built b;
  build_connect(b, {{":method", "CONNECT"},
                    {":protocol", "websocket"},
                    {":scheme", "http"},
                    {":path", "/ws"},
                    {":authority", "h"},
                    {"content-length", "10"},
                    {"sec-websocket-key", "client-chosen"}});
  ASSERT_TRUE(b.result.complete()) << b.text;
  const http::RequestHead& head = b.parser.head();
  EXPECT_EQ(field(head, "Sec-WebSocket-Version"), "13");
  EXPECT_EQ(field(head, "Sec-WebSocket-Key"), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(field(head, "sec-websocket-key"), "");
  EXPECT_EQ(head.framing, http::BodyFraming::kNone);
}

TEST(RequestHeadBuilder, OtherProtocolsAreNotWebSocket) {
  std::vector<char> buffer(1024);
  RequestHeadBuilder builder;
  builder.start(buffer.data(), buffer.size());
  builder.add(":method", "CONNECT");
  builder.add(":protocol", "h2c");
  EXPECT_TRUE(builder.extended_connect());
  EXPECT_FALSE(builder.websocket());
  builder.start(buffer.data(), buffer.size());
  builder.add(":method", "CONNECT");
  builder.add(":authority", "db:5432");
  EXPECT_FALSE(builder.extended_connect());  // a plain CONNECT stays one
}

TEST(WebSocketKey, IsTheBase64OfSixteenBytes) {
  // RFC 6455 §1.3's sample nonce "the sample nonce".
  const auto key = websocket_key(0x7468652073616d70, 0x6c65206e6f6e6365);
  EXPECT_EQ(std::string_view(key.data(), key.size()), "dGhlIHNhbXBsZSBub25jZQ==");
  const auto zero = websocket_key(0, 0);
  EXPECT_EQ(std::string_view(zero.data(), zero.size()), "AAAAAAAAAAAAAAAAAAAAAA==");
}

TEST(ResponseFields, DropRemovesANamedField) {
  ResponseFields fields;
  fields.status(200);
  fields.add("Sec-WebSocket-Accept", "x");
  fields.add("sec-websocket-protocol", "chat");
  fields.drop("sec-websocket-accept");
  const auto map = as_map(fields.list());
  EXPECT_EQ(map.count("sec-websocket-accept"), 0u);
  EXPECT_EQ(map.at("sec-websocket-protocol"), "chat");
  EXPECT_EQ(map.at(":status"), "200");
}

// ---- trailers (RFC 9110 §6.5.1) ----

TEST(Trailers, OnlyFieldsThatMayBeTrailers) {
  EXPECT_TRUE(trailer_allowed("grpc-status", "0"));
  EXPECT_TRUE(trailer_allowed("x-checksum", "abc"));
  EXPECT_TRUE(trailer_allowed("Server-Timing", "db;dur=53"));
  for (const char* name :
       {"content-length", "Transfer-Encoding", "te", "trailer", "host", "connection", "keep-alive",
        "upgrade", "authorization", "cookie", "set-cookie", "content-type", "content-encoding",
        "cache-control", ":status", "http2-settings"}) {
    EXPECT_FALSE(trailer_allowed(name, "v")) << name;
  }
  EXPECT_FALSE(trailer_allowed("", "v"));
  EXPECT_FALSE(trailer_allowed("bad name", "v"));
  EXPECT_FALSE(trailer_allowed("x", "a\r\nInjected: yes"));
  EXPECT_FALSE(trailer_allowed("x", std::string_view("a\0b", 3)));
}

TEST(Trailers, AppendKeepsTheBlockWithinItsLimit) {
  std::string lines;
  EXPECT_TRUE(append_trailer(lines, "grpc-status", "0", 64));
  EXPECT_FALSE(append_trailer(lines, "content-length", "5", 64));
  EXPECT_FALSE(append_trailer(lines, "x-long", std::string(60, 'a'), 64));
  EXPECT_TRUE(append_trailer(lines, "x-b", "2", 64));
  EXPECT_EQ(lines, "grpc-status: 0\r\nx-b: 2\r\n");
}

TEST(Trailers, KeptInPlaceForAnHttp11Client) {
  std::string lines = "grpc-status: 0\r\nContent-Length: 5\r\nX-Sum:  abc\r\nset-cookie: a=b\r\n";
  const std::size_t n = keep_allowed_trailers(lines.data(), lines.size());
  EXPECT_EQ(lines.substr(0, n), "grpc-status: 0\r\nX-Sum:  abc\r\n");
  std::string none = "Trailer: x\r\n";
  EXPECT_EQ(keep_allowed_trailers(none.data(), none.size()), 0u);
}

TEST(Trailers, ResponseTrailerLinesAreFiltered) {
  ResponseFields fields;
  fields.add_trailer_lines(
      "grpc-status: 0\r\nContent-Length: 5\r\nGrpc-Message:  all good \r\nSet-Cookie: a=b\r\n");
  const auto map = as_map(fields.list());
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.at("grpc-status"), "0");
  EXPECT_EQ(map.at("grpc-message"), "all good");
}

}  // namespace
}  // namespace flotilla::gateway::h2
