// H1ResponseSink over a real socketpair, read back with the repo's own ResponseParser: known
// lengths kept, unknown lengths re-chunked for HTTP/1.1 and close-delimited for 1.0, HEAD gets a
// GET's head and no body, Connection as keep-alive allows, Server and Date on the gateway's own
// heads, interim 1xx to HTTP/1.1 clients only and never 100; the answers send_answer makes
// (Retry-After, X-Request-Id, JSON errors) as a client reads them.
#include "gateway/h1/response_sink.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::ParsedResponse;
using testing::PipelineHarness;

constexpr const char* kGet11 = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

// The head and then `pieces` through the sink, the last one with `last`.
net::Awaitable<void> respond(ResponseSink& sink, ResponseHeadOut out,
                             std::vector<std::string> pieces) {
  sink.head(out);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    auto [ec, n] = co_await sink.body(pieces[i], i + 1 == pieces.size());
    EXPECT_FALSE(ec) << ec.message();
  }
}

// An upstream's response head, parsed and kept alive for the sink's views.
struct UpstreamHead {
  explicit UpstreamHead(std::string text, http::Method method = http::Method::kGet)
      : raw(std::move(text)) {
    parser.reset(method);
    if (!parser.parse(raw).complete()) throw std::invalid_argument("bad head: " + raw);
  }
  const http::ResponseHead& head() const { return parser.head(); }
  std::string raw;
  http::ResponseParser parser;
};

ResponseHeadOut forwarded(const UpstreamHead& upstream, BodyLength length) {
  ResponseHeadOut out;
  out.status = upstream.head().status;
  out.forwarded = &upstream.head();
  out.length = length;
  out.content_length = upstream.head().content_length;
  return out;
}

std::string without_date(std::string head) {
  const std::size_t at = head.find("\r\nDate: ");
  if (at != std::string::npos) head.erase(at, head.find("\r\n", at + 2) - at);
  return head;
}

// An answer of the gateway's own, as send_answer writes it for the request `raw`.
std::string answer(PipelineHarness& h, const char* raw, LocalAnswer answer) {
  RequestContext& ctx = h.request(raw);
  h.run(send_answer(ctx, answer));
  return h.written();
}

LocalAnswer text(int status, std::string_view body) {
  LocalAnswer a;
  a.status = status;
  a.body = body;
  return a;
}

TEST(H1ResponseSink, LocalHeadsCarryServerDateAndLength) {
  PipelineHarness h;
  const std::string raw = answer(h, kGet11, text(200, "healthy\n"));
  const ParsedResponse r = parse_response(raw);
  ASSERT_TRUE(r.complete) << raw;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 200 OK\r\n")) << raw;
  EXPECT_EQ(r.field("Server"), "flotilla");
  const std::regex imf_fixdate(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
  EXPECT_TRUE(std::regex_match(r.field("Date").value_or(""), imf_fixdate)) << raw;
  EXPECT_EQ(r.field("Content-Length"), "8");
  EXPECT_EQ(r.field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.count("Connection"), 0);  // HTTP/1.1 keeps the connection by default
  EXPECT_EQ(r.body, "healthy\n");
  EXPECT_TRUE(r.rest.empty());
  EXPECT_TRUE(h.sink().started());
  EXPECT_TRUE(h.sink().keeps_connection());
  EXPECT_EQ(h.sink().bytes_sent(), raw.size());
  EXPECT_EQ(h.sink().status(), 200);
  EXPECT_EQ(h.ws().record.status, 200);
  EXPECT_EQ(h.ws().record.bytes_out, raw.size());
}

// HEAD: the head a GET gets (its Content-Length too), and not one byte after it.
TEST(H1ResponseSink, HeadGetsTheHeadOfAGetAndNoBody) {
  PipelineHarness h;
  const std::string get = answer(h, kGet11, text(200, "healthy\n"));
  const std::string head = answer(h, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", text(200, "healthy\n"));
  EXPECT_EQ(without_date(head), without_date(get.substr(0, get.size() - 8)));
  const ParsedResponse r = parse_response(head, http::Method::kHead);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.field("Content-Length"), "8");
  EXPECT_TRUE(r.rest.empty()) << head;

  LocalAnswer error;
  error.status = 502;
  error.error = true;
  const std::string get_error = answer(h, kGet11, error);
  const std::string head_error = answer(h, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", error);
  const ParsedResponse full = parse_response(get_error);
  EXPECT_EQ(full.body, "Bad Gateway\n");
  EXPECT_EQ(without_date(head_error),
            without_date(get_error.substr(0, get_error.size() - full.body.size())));
  EXPECT_TRUE(h.sink().keeps_connection());
}

TEST(H1ResponseSink, ConnectionAsKeepAliveAllows) {
  PipelineHarness h;
  ParsedResponse r = parse_response(
      answer(h, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", text(200, "x")));
  EXPECT_EQ(r.field("Connection"), "close");
  EXPECT_FALSE(h.sink().keeps_connection());

  r = parse_response(answer(h, "GET / HTTP/1.0\r\nHost: h\r\n\r\n", text(200, "x")));
  EXPECT_EQ(r.field("Connection"), "close");
  EXPECT_FALSE(h.sink().keeps_connection());

  r = parse_response(
      answer(h, "GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", text(200, "x")));
  EXPECT_EQ(r.field("Connection"), "keep-alive");  // 1.0 persists only when told
  EXPECT_TRUE(h.sink().keeps_connection());

  // An answer made before the request's body was read: the body is still in the connection.
  h.body().unread = true;
  r = parse_response(answer(h, kGet11, text(413, "")));
  EXPECT_EQ(r.field("Connection"), "close");
  EXPECT_FALSE(h.sink().keeps_connection());
  h.body().unread = false;

  // A draining worker closes every connection after its response.
  h.worker().begin_drain();
  r = parse_response(answer(h, kGet11, text(200, "x")));
  EXPECT_EQ(r.field("Connection"), "close");
  EXPECT_FALSE(h.sink().keeps_connection());
}

// What the proxy answers when no endpoint can take the request: 503 with Retry-After, the
// request's id, as JSON when the client asked for it.
TEST(H1ResponseSink, ErrorAnswersCarryRetryAfterAndTheRequestId) {
  PipelineHarness h;
  RequestContext& ctx = h.request(
      "GET / HTTP/1.1\r\nHost: h\r\nAccept: application/json\r\nX-Request-Id: abc\r\n\r\n");
  ctx.json_errors = true;
  EXPECT_EQ(request_id(ctx), "abc");
  LocalAnswer unavailable;
  unavailable.status = 503;
  unavailable.error = true;
  unavailable.retry_after_seconds = 1;
  h.run(send_answer(ctx, unavailable));
  const ParsedResponse r = parse_response(h.written());
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.field("Retry-After"), "1");
  EXPECT_EQ(r.field("X-Request-Id"), "abc");
  EXPECT_EQ(r.count("X-Request-Id"), 1);
  EXPECT_EQ(r.field("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"error":"Service Unavailable","status":503,"detail":"Service Unavailable"})"
                    "\n");
  EXPECT_EQ(r.field("Content-Length"), std::to_string(r.body.size()));

  // Without an id made for the request, none is invented for a plain answer; no Retry-After
  // unless asked.
  const ParsedResponse plain = parse_response(answer(h, kGet11, text(404, "no\n")));
  EXPECT_EQ(plain.count("X-Request-Id"), 0);
  EXPECT_EQ(plain.count("Retry-After"), 0);
}

TEST(H1ResponseSink, ForwardedKnownLengthIsKept) {
  PipelineHarness h;
  h.request(kGet11);
  const UpstreamHead upstream(
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Up: 1\r\nConnection: keep-alive\r\n\r\n");
  h.run(respond(h.sink(), forwarded(upstream, BodyLength::kKnown), {"hello", "world"}));
  const std::string raw = h.written();
  const ParsedResponse r = parse_response(raw);
  ASSERT_TRUE(r.complete) << raw;
  EXPECT_EQ(r.count("Content-Length"), 1);
  EXPECT_EQ(r.field("Content-Length"), "10");
  ASSERT_FALSE(r.fields.empty());
  EXPECT_EQ(r.fields[0].first, "Content-Length") << raw;  // the upstream's own line, in place
  EXPECT_EQ(r.count("Transfer-Encoding"), 0);
  EXPECT_EQ(r.field("X-Up"), "1");
  EXPECT_EQ(r.count("Connection"), 0);  // the upstream's hop-by-hop field is not forwarded
  EXPECT_EQ(r.count("Server"), 0);      // the upstream's head, not one of ours
  EXPECT_EQ(r.body, "helloworld");
  EXPECT_TRUE(r.rest.empty());
  EXPECT_TRUE(h.sink().keeps_connection());
}

TEST(H1ResponseSink, UnknownLengthIsChunkedForHttp11) {
  PipelineHarness h;
  h.request(kGet11);
  const UpstreamHead upstream("HTTP/1.0 200 OK\r\nX-Up: 1\r\n\r\n");  // until close
  ASSERT_EQ(upstream.head().framing, http::BodyFraming::kUntilClose);
  h.run(respond(h.sink(), forwarded(upstream, BodyLength::kUnknown), {"hel", "lo", ""}));
  const std::string raw = h.written();
  const ParsedResponse r = parse_response(raw, http::Method::kGet, false);
  ASSERT_TRUE(r.complete) << raw;
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 200 OK\r\n")) << raw;
  EXPECT_EQ(r.field("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r.count("Content-Length"), 0);
  EXPECT_EQ(r.body, "hello");
  EXPECT_TRUE(r.body_complete) << raw;  // ended by the last chunk, not by a close
  EXPECT_TRUE(r.rest.empty()) << raw;
  EXPECT_TRUE(h.sink().keeps_connection());  // the connection survives the response

  // An upstream's chunked body is re-chunked the same way (its framing is never forwarded).
  h.request(kGet11);
  const UpstreamHead chunked("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  h.run(respond(h.sink(), forwarded(chunked, BodyLength::kUnknown), {"abc", "defg"}));
  const ParsedResponse again = parse_response(h.written(), http::Method::kGet, false);
  EXPECT_EQ(again.count("Transfer-Encoding"), 1);
  EXPECT_EQ(again.body, "abcdefg");
  EXPECT_TRUE(again.body_complete);

  // A head the gateway makes with a body of unknown length, too.
  h.request(kGet11);
  ResponseHeadOut local;
  local.status = 200;
  local.length = BodyLength::kUnknown;
  h.run(respond(h.sink(), local, {"streamed", ""}));
  const ParsedResponse ours = parse_response(h.written(), http::Method::kGet, false);
  EXPECT_EQ(ours.field("Transfer-Encoding"), "chunked");
  EXPECT_EQ(ours.body, "streamed");
  EXPECT_TRUE(ours.body_complete);
}

TEST(H1ResponseSink, UnknownLengthIsCloseDelimitedForHttp10) {
  PipelineHarness h;
  h.request("GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n");
  const UpstreamHead upstream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  h.run(respond(h.sink(), forwarded(upstream, BodyLength::kUnknown), {"hel", "lo", ""}));
  const std::string raw = h.written();
  const ParsedResponse r = parse_response(raw, http::Method::kGet, true);
  ASSERT_TRUE(r.complete) << raw;
  EXPECT_EQ(r.count("Transfer-Encoding"), 0);  // a 1.0 client cannot read chunks
  EXPECT_EQ(r.count("Content-Length"), 0);
  EXPECT_EQ(r.field("Connection"), "close");
  EXPECT_EQ(r.framing, http::BodyFraming::kUntilClose);
  EXPECT_EQ(r.body, "hello");
  EXPECT_FALSE(h.sink().keeps_connection());
  // Whole: the connection may end with close_notify, telling a TLS client the body is complete.
  EXPECT_TRUE(h.sink().complete());

  // A body cut short (no `last` piece) is not complete: its close must not look like an end.
  h.request("GET / HTTP/1.0\r\nHost: h\r\n\r\n");
  h.sink().head(forwarded(upstream, BodyLength::kUnknown));
  h.run([](ResponseSink& sink) -> net::Awaitable<void> {
    auto [ec, n] = co_await sink.body("partial", false);
    EXPECT_FALSE(ec) << ec.message();
  }(h.sink()));
  EXPECT_TRUE(h.sink().started());
  EXPECT_FALSE(h.sink().complete());
}

TEST(H1ResponseSink, HeadAndBodilessStatusesWriteNoBody) {
  PipelineHarness h;
  h.request("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
  // As the proxy forwards it: a response to HEAD has no body, whatever its Content-Length says.
  const UpstreamHead upstream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", http::Method::kHead);
  h.run(respond(h.sink(), forwarded(upstream, BodyLength::kNone), {"hello"}));
  std::string raw = h.written();
  ParsedResponse r = parse_response(raw, http::Method::kHead);
  EXPECT_EQ(r.field("Content-Length"), "5");  // what a GET would get
  EXPECT_TRUE(r.rest.empty()) << raw;
  EXPECT_TRUE(h.sink().keeps_connection());

  // An unknown length on a HEAD is not chunked: nothing follows the head at all.
  h.request("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
  const UpstreamHead until_close("HTTP/1.0 200 OK\r\n\r\n", http::Method::kHead);
  h.run(respond(h.sink(), forwarded(until_close, BodyLength::kUnknown), {"data", ""}));
  raw = h.written();
  r = parse_response(raw, http::Method::kHead);
  EXPECT_EQ(r.count("Transfer-Encoding"), 0) << raw;
  EXPECT_TRUE(r.rest.empty()) << raw;

  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    h.request(kGet11);
    const UpstreamHead none(std::string("HTTP/1.1 ") + status + "\r\nETag: \"x\"\r\n\r\n");
    h.run(respond(h.sink(), forwarded(none, BodyLength::kNone), {"stray"}));
    raw = h.written();
    r = parse_response(raw);
    ASSERT_TRUE(r.complete) << raw;
    EXPECT_TRUE(r.rest.empty()) << raw;
    EXPECT_EQ(r.count("Transfer-Encoding"), 0) << raw;
    EXPECT_TRUE(h.sink().keeps_connection()) << status;
  }
}

net::Awaitable<void> interim_then_final(ResponseSink& sink, const UpstreamHead& interim,
                                        std::string_view body) {
  auto [ec, n] = co_await sink.interim(interim.head(), interim.raw);
  EXPECT_FALSE(ec);
  ResponseHeadOut out;
  out.status = 200;
  out.length = BodyLength::kKnown;
  out.content_length = body.size();
  sink.head(out);
  co_await sink.body(body, true);
  // Once the final head went out, no interim head may follow it.
  co_await sink.interim(interim.head(), interim.raw);
}

TEST(H1ResponseSink, InterimHeadsGoToHttp11ClientsOnly) {
  const UpstreamHead early("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
  ASSERT_TRUE(early.head().informational);
  PipelineHarness h;
  h.request(kGet11);
  h.run(interim_then_final(h.sink(), early, "ok"));
  std::string raw = h.written();
  const ParsedResponse first = parse_response(raw);
  EXPECT_EQ(first.status, 103) << raw;
  EXPECT_EQ(first.field("Link"), "</s.css>; rel=preload");
  const ParsedResponse final_response = parse_response(first.rest);
  EXPECT_EQ(final_response.status, 200) << raw;
  EXPECT_EQ(final_response.body, "ok");
  EXPECT_TRUE(final_response.rest.empty()) << raw;

  // A 1.0 client would take a 1xx for the answer.
  h.request("GET / HTTP/1.0\r\nHost: h\r\n\r\n");
  h.run(interim_then_final(h.sink(), early, "ok"));
  raw = h.written();
  const ParsedResponse only = parse_response(raw);
  EXPECT_EQ(only.status, 200) << raw;
  EXPECT_TRUE(only.rest.empty()) << raw;
}

// 100 Continue is the gateway's to answer (when the body is first read): an upstream's is
// never relayed, whatever the client's version.
TEST(H1ResponseSink, NeverRelays100Continue) {
  const UpstreamHead cont("HTTP/1.1 100 Continue\r\n\r\n");
  PipelineHarness h;
  h.request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  h.run(interim_then_final(h.sink(), cont, "ok"));
  const std::string raw = h.written();
  const ParsedResponse r = parse_response(raw);
  EXPECT_EQ(r.status, 200) << raw;
  EXPECT_TRUE(r.rest.empty()) << raw;
}

// A 101 to an upgrade request: `Connection: upgrade` and Upgrade kept, never `close`; the
// connection becomes the tunnel, with the bytes the client sent after its request.
TEST(H1ResponseSink, SwitchingProtocolsHandsOverTheConnection) {
  PipelineHarness h;
  h.request("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  h.sink().set_early_bytes("early");
  const UpstreamHead upstream(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: x\r\n\r\n");
  ResponseHeadOut out = forwarded(upstream, BodyLength::kNone);
  out.upgrade = true;
  h.run(respond(h.sink(), out, {""}));
  const std::string raw = h.written();
  const ParsedResponse r = parse_response(raw);
  ASSERT_TRUE(r.complete) << raw;
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.field("Upgrade"), "websocket");
  ASSERT_TRUE(r.field("Connection").has_value()) << raw;
  EXPECT_TRUE(same_header_name(*r.field("Connection"), "upgrade")) << raw;
  EXPECT_EQ(r.field("Sec-WebSocket-Accept"), "x");
  EXPECT_TRUE(r.rest.empty());
  EXPECT_FALSE(h.sink().keeps_connection());  // not for HTTP: it is a tunnel now
  const ResponseSink::TunnelEnd end = h.sink().tunnel();
  EXPECT_NE(end.downstream, nullptr);
  EXPECT_EQ(end.early_bytes, "early");
}

}  // namespace
}  // namespace flotilla::gateway
